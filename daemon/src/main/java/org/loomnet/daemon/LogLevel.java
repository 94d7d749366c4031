package org.loomnet.daemon;

import java.util.Arrays;
import java.util.Locale;
import java.util.logging.Level;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** The levels {@code --log-level} accepts, written in lower case as on the command line. */
public enum LogLevel {
    /** Only errors. */
    ERROR(Level.SEVERE),
    /** Errors and warnings. */
    WARN(Level.WARNING),
    /** Connections, disconnections and their reasons: the default. */
    INFO(Level.INFO),
    // DEBUG and TRACE are for LoomNet's own loggers. The JDK's java.util.logging loggers stay at
    // INFO: below it they log internals (every Runtime.exit with a stack trace, HTTP wire
    // traffic) that would bury ours.
    /** Everything a developer needs to follow a connection. */
    DEBUG(Level.INFO),
    /** Everything. */
    TRACE(Level.INFO);

    private final Level jul;

    LogLevel(Level jul) {
        this.jul = jul;
    }

    /** @return the level as slf4j-simple's {@code defaultLogLevel} property spells it */
    String slf4jName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the level java.util.logging records must have to be passed on to slf4j */
    Level julLevel() {
        return jul;
    }

    /** @return the lower-case name, as {@code --help} shows it and the flag takes it */
    @Override
    public String toString() {
        return slf4jName();
    }

    /** picocli converter: any case, and an error listing the levels as the flag spells them. */
    static final class Converter implements ITypeConverter<LogLevel> {
        @Override
        public LogLevel convert(String value) {
            for (LogLevel l : values()) {
                if (l.name().equalsIgnoreCase(value.strip())) {
                    return l;
                }
            }
            throw new TypeConversionException("'" + value + "' is not one of "
                    + String.join(", ", Arrays.stream(values()).map(LogLevel::toString).toList()));
        }
    }
}
