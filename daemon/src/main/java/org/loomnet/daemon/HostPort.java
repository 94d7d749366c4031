package org.loomnet.daemon;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;
import org.loomnet.crypto.Identity;
import org.loomnet.node.NodeConfig;
import org.loomnet.node.NodeId;
import org.loomnet.node.PeerAddress;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Peer addresses as people write them: {@code host:port}, IPv6 in brackets ({@code [::1]:7700}),
 * optionally pinned to a node id, {@code <node id>@host:port} with the id as 40 hex digits.
 *
 * <p>Parsing is strict and never touches the network: an IP literal becomes a resolved address,
 * a host name stays unresolved until {@link #resolve} is called, so a typo is reported as a typo
 * and not as a DNS failure. Every rejection says what was wrong and what was expected.
 */
public final class HostPort {

    /** What a {@link #parse} error message shows as the expected form. */
    static final String EXPECTED = "expected HOST:PORT, IPv6 as [::1]:7700";
    /** What a {@link #parsePeer} error message shows as the expected form. */
    static final String EXPECTED_PEER = "expected HOST:PORT or NODE_ID@HOST:PORT (NODE_ID: "
            + 2 * Identity.NODE_ID_LENGTH + " hex digits), IPv6 as [::1]:7700";
    /** What a {@link #parseDnsSeed} error message shows as the expected form. */
    static final String EXPECTED_DNS_SEED = "expected HOST or HOST:PORT (port " + NodeConfig.DEFAULT_PORT
            + " if none), IPv6 as [::1]:7700";
    /** What a {@link #parseHost} error message shows as the expected form. */
    static final String EXPECTED_HOST = "expected an IPv4 address, an IPv6 address or a host name";

    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,5}");
    /** Dotted quad without leading zeros, which some resolvers would read as octal. */
    private static final Pattern IPV4 = Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");
    private static final Pattern DOTS_AND_DIGITS = Pattern.compile("[0-9.]+");
    private static final Pattern HEX = Pattern.compile("[0-9A-Fa-f]*");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    private HostPort() {
    }

    /**
     * Parses {@code host:port}. Surrounding white space is ignored.
     *
     * @param text for example {@code 127.0.0.1:7700}, {@code [::1]:7700} or {@code seed.example.org:7700}
     * @return the address: resolved for an IP literal, unresolved for a host name
     * @throws IllegalArgumentException with a message naming the input and the problem
     */
    public static InetSocketAddress parse(String text) {
        try {
            String s = text.strip();
            return parseOrThrow(s, s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; " + EXPECTED);
        }
    }

    /**
     * Parses a peer as {@code --peers} and the peers file take it: {@code host:port} as
     * {@link #parse} reads it, or {@code <node id>@host:port}, which pins the peer: the node
     * there must prove that id in the handshake. Surrounding white space is ignored; the id may be
     * written in either case.
     *
     * @param text for example {@code 127.0.0.1:7700} or {@code 3f2a...9c01@127.0.0.1:7700}
     * @return the peer, with its node id if one was given
     * @throws BadNodeId if the address is well-formed but the node id is not
     * @throws IllegalArgumentException with a message naming the input and the problem
     */
    public static PeerAddress parsePeer(String text) {
        String s = text.strip();
        try {
            int at = s.indexOf('@');
            if (at < 0) {
                return PeerAddress.of(parseOrThrow(s, s));
            }
            // The address first: a peer whose address is wrong is wrong as a whole, whatever its id.
            InetSocketAddress address = parseOrThrow(s, s.substring(at + 1));
            return new PeerAddress(address, nodeId(s, s.substring(0, at)));
        } catch (BadNodeId e) {
            throw new BadNodeId(e.getMessage() + "; " + EXPECTED_PEER);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; " + EXPECTED_PEER);
        }
    }

    private static NodeId nodeId(String whole, String id) {
        int digits = 2 * Identity.NODE_ID_LENGTH;
        if (id.isEmpty()) {
            throw new BadNodeId("'" + whole + "': missing node id before '@'");
        }
        if (!HEX.matcher(id).matches()) {
            throw new BadNodeId("'" + whole + "': node id '" + id + "' is not hexadecimal (0-9, a-f)");
        }
        if (id.length() != digits) {
            throw new BadNodeId("'" + whole + "': node id '" + id + "' has " + id.length()
                    + " hex digits, not " + digits);
        }
        return NodeId.parse(id);
    }

    /**
     * A peer whose address is well-formed but whose node id is not. The peers file skips such
     * a seed (with a warning) instead of refusing the whole file.
     */
    public static final class BadNodeId extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        BadNodeId(String message) {
            super(message);
        }
    }

    /**
     * @param whole the text as the user wrote it, for error messages
     * @param s     the host:port part of it
     */
    private static InetSocketAddress parseOrThrow(String whole, String s) {
        return parseOrThrow(whole, s, false);
    }

    /**
     * Parses {@code host:port} to listen on: as {@link #parse}, but port 0 (a free port) is allowed.
     *
     * @param text for example {@code 127.0.0.1:6420} or {@code 127.0.0.1:0}
     * @return the address, resolved for an IP literal, unresolved for a host name
     * @throws IllegalArgumentException with a message naming the input and the problem
     */
    public static InetSocketAddress parseListen(String text) {
        try {
            String s = text.strip();
            return parseOrThrow(s, s, true);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; " + EXPECTED);
        }
    }

    private static InetSocketAddress parseOrThrow(String whole, String s, boolean listen) {
        if (s.isEmpty()) {
            throw whole.isEmpty() ? new IllegalArgumentException("empty address") : bad(whole, "missing address");
        }
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw bad(whole, "missing ']' after the IPv6 address");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.startsWith(":")) {
                throw bad(whole, rest.isEmpty() ? "missing port" : "unexpected '" + rest + "' after ']'");
            }
            port = rest.substring(1);
            if (!host.contains(":")) {
                throw bad(whole, "brackets are for IPv6 addresses only");
            }
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0) {
                throw bad(whole, "missing port");
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
            if (host.contains(":")) {
                throw bad(whole, "an IPv6 address needs brackets");
            }
        }
        int p = parsePort(whole, port);
        if (p == 0 && !listen) {
            throw bad(whole, "port 0 cannot be dialed");
        }
        return address(whole, host, p);
    }

    /**
     * Checks a DNS seed as {@code --dns-seed} takes it: a host name (or an IP literal), with or
     * without a port; without one the node uses {@link NodeConfig#DEFAULT_PORT}. Nothing is looked
     * up: the node resolves its DNS seeds itself, again each time it asks them.
     *
     * @param text for example {@code seed.example.org}, {@code seed.example.org:7701} or {@code [::1]:7700}
     * @return the seed as the node takes it: the text without surrounding white space
     * @throws IllegalArgumentException with a message naming the input and the problem
     */
    public static String parseDnsSeed(String text) {
        String s = text.strip();
        try {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("empty DNS seed");
            }
            if (s.contains("://")) {
                throw bad(s, "a DNS seed is a host name, not a URL (a URL goes to --seed-url)");
            }
            boolean hostOnly = s.startsWith("[") ? s.endsWith("]") : s.indexOf(':') < 0;
            if (!hostOnly) {
                parseOrThrow(s, s);
            } else if (s.startsWith("[")) {
                String host = s.substring(1, s.length() - 1);
                if (!host.contains(":")) {
                    throw bad(s, "brackets are for IPv6 addresses only");
                }
                address(s, host, NodeConfig.DEFAULT_PORT);
            } else {
                address(s, s, NodeConfig.DEFAULT_PORT);
            }
            return s;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; " + EXPECTED_DNS_SEED);
        }
    }

    /**
     * Parses a host alone, as {@code --host} takes it: an IPv4 or IPv6 literal (brackets
     * optional) or a host name, which is resolved here.
     *
     * @param text the host
     * @return its address
     * @throws IllegalArgumentException if it is malformed or the name does not resolve
     */
    public static InetAddress parseHost(String text) {
        String s = text.strip();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        InetSocketAddress a;
        try {
            a = address(text.strip(), s, 0);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; " + EXPECTED_HOST);
        }
        try {
            return resolve(a).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve host '" + s + "'");
        }
    }

    /**
     * Parses a listen port.
     *
     * @param text a number from 0 to 65535; 0 picks a free port
     * @return the port
     * @throws IllegalArgumentException if it is not such a number
     */
    public static int parseListenPort(String text) {
        String s = text.strip();
        if (!DIGITS.matcher(s).matches() || Integer.parseInt(s) > 65535) {
            throw new IllegalArgumentException("'" + text + "' is not a port number from 0 to 65535");
        }
        return Integer.parseInt(s);
    }

    /**
     * Parses an IP address alone: an IPv4 or IPv6 literal (brackets optional), never a host
     * name, so nothing is ever looked up.
     *
     * @param text the address
     * @return the address
     * @throws IllegalArgumentException if it is not an IP literal
     */
    public static InetAddress parseIpLiteral(String text) {
        String s = text.strip();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        InetSocketAddress a = address(text.strip(), s, 0);
        if (a.isUnresolved()) {
            throw bad(text.strip(), "not an IP address");
        }
        return a.getAddress();
    }

    /**
     * Looks up a host name left unresolved by {@link #parse}.
     *
     * @param address an address from {@link #parse}
     * @return the address itself if it is resolved, else a resolved copy
     * @throws UnknownHostException if the name does not resolve
     */
    public static InetSocketAddress resolve(InetSocketAddress address) throws UnknownHostException {
        if (!address.isUnresolved()) {
            return address;
        }
        InetSocketAddress r = new InetSocketAddress(address.getHostString(), address.getPort());
        if (r.isUnresolved()) {
            throw new UnknownHostException(address.getHostString());
        }
        return r;
    }

    /**
     * Writes an address back in the form {@link #parse} reads, without the JDK's
     * {@code hostname/} prefix.
     *
     * @param address an address
     * @return for example {@code 127.0.0.1:7700} or {@code [::1]:7700}
     */
    public static String format(InetSocketAddress address) {
        String host = address.isUnresolved() || address.getAddress() == null
                ? address.getHostString() : address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /**
     * Writes a peer back in the form {@link #parsePeer} reads.
     *
     * @param peer a peer
     * @return for example {@code 127.0.0.1:7700}, or {@code <node id>@127.0.0.1:7700} if pinned
     */
    public static String format(PeerAddress peer) {
        return (peer.nodeId() == null ? "" : peer.nodeId() + "@") + format(peer.address());
    }

    private static int parsePort(String whole, String port) {
        if (port.isEmpty()) {
            throw bad(whole, "missing port");
        }
        if (!DIGITS.matcher(port).matches() || Integer.parseInt(port) > 65535) {
            throw bad(whole, "port '" + port + "' is not a number from 0 to 65535");
        }
        return Integer.parseInt(port);
    }

    private static InetSocketAddress address(String whole, String host, int port) {
        if (host.isEmpty()) {
            throw bad(whole, "missing host");
        }
        if (host.contains(":")) {
            try {
                // An IPv6 literal. In brackets, getByName only parses a literal and never looks a
                // name up; without them, a string that does not start with a hex digit or ':'
                // (".17:.0.9", found by ApiServerFuzzTest) goes to the name service.
                return new InetSocketAddress(InetAddress.getByName("[" + host + "]"), port);
            } catch (UnknownHostException | RuntimeException e) {
                throw bad(whole, "'" + host + "' is not an IPv6 address");
            }
        }
        if (DOTS_AND_DIGITS.matcher(host).matches()) {
            if (!IPV4.matcher(host).matches() || !octetsInRange(host)) {
                throw bad(whole, "'" + host + "' is not an IPv4 address");
            }
            try {
                return new InetSocketAddress(InetAddress.getByName(host), port);
            } catch (UnknownHostException | RuntimeException e) {
                throw bad(whole, "'" + host + "' is not an IPv4 address");
            }
        }
        if (host.length() > 253 || !validName(host)) {
            throw bad(whole, "'" + host + "' is not a host name (letters, digits, '-' and '.')");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    private static boolean octetsInRange(String ipv4) {
        for (String octet : ipv4.split("\\.")) {
            if (Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    private static boolean validName(String host) {
        for (String label : host.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    private static IllegalArgumentException bad(String whole, String problem) {
        return new IllegalArgumentException("'" + whole + "': " + problem);
    }

    /** picocli converter for {@code --peers}. */
    static final class PeerConverter implements ITypeConverter<PeerAddress> {
        @Override
        public PeerAddress convert(String value) {
            try {
                return parsePeer(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** picocli converter for {@code --dns-seed}. */
    static final class DnsSeedConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return parseDnsSeed(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** picocli converter for {@code --host}. */
    static final class HostConverter implements ITypeConverter<InetAddress> {
        @Override
        public InetAddress convert(String value) {
            try {
                return parseHost(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** picocli converter for {@code --port}. */
    static final class PortConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                return parseListenPort(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** picocli converter for {@code --api}: {@code host:port}, a host name resolved here. */
    static final class ListenAddressConverter implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            try {
                return resolve(parseListen(value));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            } catch (UnknownHostException e) {
                throw new TypeConversionException("cannot resolve host '" + parseListen(value).getHostString() + "'");
            }
        }
    }
}
