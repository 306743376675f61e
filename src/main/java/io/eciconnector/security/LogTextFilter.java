package io.eciconnector.security;

import java.util.logging.Filter;
import java.util.logging.LogRecord;

import io.quarkus.logging.LoggingFilter;

/**
 * Every log line's arguments escaped ({@link LogText}) before the line is formatted: record text reaches the log as
 * an argument ({@code LOG.infof("Call %s skipped: %s", externalId, reason)}), so a CR/LF, an ANSI escape or an
 * invisible character in an id, a file name or a reason cannot forge a line or hide text, whichever class logs it.
 * The format itself (written in the code) is left alone, as are numbers and dates. Installed on the console by
 * {@code quarkus.log.console.filter=eci-log-text}; the start watchdog's multi-line thread dump is left as it is.
 */
@LoggingFilter(name = "eci-log-text")
public final class LogTextFilter implements Filter {

    @Override
    public boolean isLoggable(LogRecord record) {
        Object[] parameters = record.getParameters();
        if (parameters == null || parameters.length == 0) {
            return true;
        }
        String logger = record.getLoggerName();
        if (logger != null && logger.startsWith("io.eciconnector.startup")) {
            return true;
        }
        for (int i = 0; i < parameters.length; i++) {
            parameters[i] = escaped(parameters[i]);
        }
        return true;
    }

    /** A text argument escaped; any other argument whose text needs escaping, replaced by its escaped text. */
    static Object escaped(Object argument) {
        if (argument == null || argument instanceof Number || argument instanceof Boolean
                || argument instanceof Character || argument instanceof java.util.Date
                || argument instanceof java.time.temporal.TemporalAccessor || argument instanceof Throwable) {
            return argument;
        }
        String text = argument.toString();
        String safe = LogText.escape(text);
        return argument instanceof CharSequence || !safe.equals(text) ? safe : argument;
    }
}
