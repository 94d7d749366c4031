package org.loomnet.daemon;

import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Sets up logging for the daemon: slf4j-simple writing one line per event to stderr, and
 * java.util.logging routed into it.
 *
 * <p>slf4j-simple reads its system properties once, when the first logger is created, so
 * {@link #configure} must run before anything calls {@code LoggerFactory.getLogger}: the daemon's
 * classes therefore create their loggers after it, never in static fields of classes loaded
 * earlier. A property already set with {@code -D} on the java command line is left alone, except
 * the level, which {@code --log-level} decides.
 *
 * <p>A line looks like {@code 2025-01-31 12:00:00.000 [processing] INFO Node - connected to ...}.
 */
final class Logging {

    static final String PREFIX = "org.slf4j.simpleLogger.";

    private Logging() {
    }

    /** @param level the level for every logger */
    static void configure(LogLevel level) {
        System.setProperty(PREFIX + "defaultLogLevel", level.slf4jName());
        setIfAbsent("showDateTime", "true");
        setIfAbsent("dateTimeFormat", "yyyy-MM-dd HH:mm:ss.SSS");
        setIfAbsent("showThreadName", "true");
        setIfAbsent("showShortLogName", "true");
        setIfAbsent("levelInBrackets", "false");

        // java.util.logging (used by parts of the JDK) goes through slf4j too; its root level
        // decides which records reach the bridge (see LogLevel for why not below INFO).
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        java.util.logging.Logger.getLogger("").setLevel(level.julLevel());
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(PREFIX + key) == null) {
            System.setProperty(PREFIX + key, value);
        }
    }
}
