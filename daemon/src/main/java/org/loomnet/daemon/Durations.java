package org.loomnet.daemon;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Durations as people write them on a command line: a whole number and a unit, {@code 500ms},
 * {@code 30s}, {@code 15m}, {@code 24h}, {@code 7d}, or ISO-8601 as {@link Duration#parse} reads
 * it, {@code PT15M} or {@code P1DT12H}. Every duration a flag takes must be longer than zero and
 * at most {@link #MAX}.
 *
 * <p>{@link #format} writes a duration back in the short form, so that {@code --help} shows the
 * defaults as the flags take them.
 */
public final class Durations {

    /** What an error message shows as the accepted forms. */
    static final String EXPECTED = "expected a whole number and a unit (ms, s, m, h, d) such as 30s, 15m, 24h, 7d, "
            + "or ISO-8601 such as PT15M";

    /**
     * The longest duration a flag takes, 100 years: the node adds durations to the clock in
     * milliseconds, and "forever" is still far below where that would overflow.
     */
    static final Duration MAX = Duration.ofDays(36_500);

    /** Units are lower case only: "M" would read as months to some. */
    private static final Pattern SHORT = Pattern.compile("([0-9]{1,18})(ms|s|m|h|d)");
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");

    private Durations() {
    }

    /**
     * Parses a duration. Surrounding white space is ignored.
     *
     * @param text for example {@code 30s}, {@code 7d} or {@code PT1H30M}
     * @return the duration, longer than zero
     * @throws IllegalArgumentException with a one-line message naming the input and the problem
     */
    public static Duration parse(String text) {
        String s = text.strip();
        Duration d;
        Matcher m = SHORT.matcher(s);
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty duration; " + EXPECTED);
        } else if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            try {
                d = switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("'" + s + "' is too long a duration; at most " + format(MAX)
                        + " (100 years)");
            }
        } else if (s.toUpperCase(Locale.ROOT).startsWith("P") || s.startsWith("-P") || s.startsWith("+P")) {
            try {
                d = Duration.parse(s);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + s + "' is not an ISO-8601 duration; " + EXPECTED);
            }
        } else if (DIGITS.matcher(s).matches()) {
            throw new IllegalArgumentException("'" + s + "' has no unit; " + EXPECTED);
        } else {
            throw new IllegalArgumentException("'" + s + "' is not a duration; " + EXPECTED);
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("'" + s + "': the duration must be longer than zero");
        }
        if (d.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("'" + s + "' is too long a duration; at most " + format(MAX) + " (100 years)");
        }
        return d;
    }

    /**
     * Writes a duration in the largest unit that holds it exactly, as {@link #parse} reads it:
     * {@code 1d}, {@code 5m}, {@code 90s}, {@code 1500ms}; ISO-8601 for what milliseconds cannot hold.
     *
     * @param d a duration
     * @return its text
     */
    public static String format(Duration d) {
        if (d.isNegative() || d.isZero() || d.getNano() % 1_000_000 != 0) {
            return d.toString();
        }
        if (d.getNano() != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.getSeconds();
        if (s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s % 3_600 == 0) {
            return s / 3_600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }

    /** picocli converter for the flags that take a duration. */
    public static final class Converter implements ITypeConverter<Duration> {
        /** Created by picocli. */
        public Converter() {
        }

        @Override
        public Duration convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
