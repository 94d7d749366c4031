package org.loomnet.daemon;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Seed URLs, as {@code --seed-url} takes them: absolute {@code http://} or {@code https://} URLs
 * with a host, the ones the node's HTTP client can ask. Checked without touching the network.
 */
public final class SeedUrl {

    /** What an error message shows as the expected form. */
    static final String EXPECTED = "expected an http:// or https:// URL such as https://seeds.example.org/peers.txt";

    private SeedUrl() {
    }

    /**
     * Parses a seed URL. Surrounding white space is ignored.
     *
     * @param text for example {@code https://seeds.example.org/loomnet.txt}
     * @return the URL
     * @throws IllegalArgumentException with a one-line message naming the input and the problem
     */
    public static URI parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty URL; " + EXPECTED);
        }
        URI uri;
        try {
            uri = new URI(s);
        } catch (URISyntaxException e) {
            // "Illegal character in authority at index 7: http://a b": the input is ours to show.
            String reason = e.getReason() == null ? "malformed" : e.getReason().toLowerCase(Locale.ROOT);
            throw bad(s, "not a valid URL (" + reason + (e.getIndex() >= 0 ? " at index " + e.getIndex() : "") + ")");
        }
        String scheme = uri.getScheme();
        if (scheme == null) {
            throw bad(s, "missing http:// or https://");
        }
        if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
            throw bad(s, "scheme '" + scheme + "' is not http or https");
        }
        if (uri.isOpaque() || uri.getRawAuthority() == null) {
            throw bad(s, "missing host after " + scheme + "://");
        }
        if (uri.getHost() == null) {
            throw bad(s, "'" + uri.getRawAuthority() + "' is not a valid host");
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            throw bad(s, "port " + uri.getPort() + " is not a number from 1 to 65535");
        }
        return uri;
    }

    private static IllegalArgumentException bad(String whole, String problem) {
        return new IllegalArgumentException("'" + whole + "': " + problem + "; " + EXPECTED);
    }

    /** picocli converter for {@code --seed-url}. */
    static final class Converter implements ITypeConverter<URI> {
        @Override
        public URI convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
