package org.loomnet.fuzz;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.stream.Stream;

/**
 * Keeps fuzz targets off the network: a fuzzed host name must never become a DNS query. Installed
 * for the whole test JVM (META-INF/services), it answers as the JDK does except on a thread
 * inside {@link #refused} or {@link #forbidden}, where a name lookup is refused as if the name did
 * not exist, or is a finding: code that promises to take IP literals only and looks a name up.
 */
public final class NameLookups extends InetAddressResolverProvider {

    private enum Mode { ALLOWED, REFUSED, FORBIDDEN }

    private static final ThreadLocal<Mode> MODE = ThreadLocal.withInitial(() -> Mode.ALLOWED);

    /** The code run with name lookups changed. */
    @FunctionalInterface
    public interface Run {
        /**
         * @throws Exception whatever the code throws
         */
        void run() throws Exception;
    }

    /**
     * Runs code for which a host name may be looked up (it is documented to), but not here.
     *
     * @param code the code
     * @throws Exception what it throws
     */
    public static void refused(Run code) throws Exception {
        in(Mode.REFUSED, code);
    }

    /**
     * Runs code that must not look a host name up at all.
     *
     * @param code the code
     * @throws Exception what it throws; an {@link AssertionError} at a name lookup
     */
    public static void forbidden(Run code) throws Exception {
        in(Mode.FORBIDDEN, code);
    }

    private static void in(Mode mode, Run code) throws Exception {
        Mode before = MODE.get();
        MODE.set(mode);
        try {
            code.run();
        } finally {
            MODE.set(before);
        }
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                switch (MODE.get()) {
                    case REFUSED -> throw new UnknownHostException(host + " (name lookups are refused while fuzzing)");
                    case FORBIDDEN -> throw new AssertionError("a name lookup of '" + host + "' where only IP literals"
                            + " are taken");
                    default -> {
                        return builtin.lookupByName(host, policy);
                    }
                }
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                if (MODE.get() != Mode.ALLOWED) {
                    throw new UnknownHostException("reverse lookups are refused while fuzzing");
                }
                return builtin.lookupByAddress(addr);
            }
        };
    }

    @Override
    public String name() {
        return "loomnet fuzzing: no name lookups";
    }
}
