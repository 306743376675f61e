package io.eciconnector.security;

/**
 * Text from records (ids, file names, reasons quoting a record) made safe for one log line: CR, LF, tab, ANSI escape
 * sequences' ESC, every other control character and the invisible formatting characters (zero-width, bidi
 * overrides, line and paragraph separators) are written as {@code \n}, {@code \r}, {@code \t} or {@code \\uXXXX}, so a
 * record cannot forge a log line, colour a terminal or hide text.
 */
public final class LogText {

    private LogText() {
    }

    /** The text escaped for a log line ({@code null} stays "null"). */
    public static String escape(Object value) {
        String s = String.valueOf(value);
        int i = 0;
        while (i < s.length() && !needsEscape(s.charAt(i))) {
            i++;
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length() + 16).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (needsEscape(c)) {
                        out.append(String.format("\\u%04X", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /**
     * An e-mail address (a username, a user's e-mail) for a log line: {@code in***@e***}, enough to tell which of a
     * few configured accounts it is, not the address. Text without an {@code @} is returned escaped.
     */
    public static String maskEmail(String value) {
        if (value == null) {
            return "null";
        }
        int at = value.indexOf('@');
        if (at < 0) {
            return escape(value);
        }
        String local = value.substring(0, at);
        String domain = value.substring(at + 1);
        return escape(local.substring(0, Math.min(2, local.length()))) + "***@"
                + escape(domain.isEmpty() ? "" : domain.substring(0, 1)) + "***";
    }

    /** True for a character a log line must not carry raw. */
    static boolean needsEscape(char c) {
        return isControlOrInvisible(c);
    }

    /**
     * True for a control character (Unicode Cc: C0, DEL, C1) or an invisible one: format characters (Cf: zero-width
     * space and joiners, bidi marks and overrides, soft hyphen, BOM), line and paragraph separators, and lone
     * surrogates or non-characters.
     */
    public static boolean isControlOrInvisible(char c) {
        int type = Character.getType(c);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || type == Character.UNASSIGNED && (c == '\uFFFE' || c == '\uFFFF');
    }

    /**
     * The first control or invisible character of an id, as "U+XXXX at position N" (1-based), or null when there is
     * none (a lone surrogate counts too).
     */
    public static String firstControlOrInvisible(String id) {
        if (id == null) {
            return null;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean lone = Character.isHighSurrogate(c) ? i + 1 >= id.length() || !Character.isLowSurrogate(id.charAt(i + 1))
                    : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(id.charAt(i - 1)));
            if (lone || isControlOrInvisible(c)) {
                return String.format("U+%04X at position %d", (int) c, i + 1);
            }
            if (Character.isHighSurrogate(c) && i + 1 < id.length()) {
                int cp = id.codePointAt(i);
                int type = Character.getType(cp);
                if (type == Character.FORMAT || type == Character.CONTROL) {
                    return String.format("U+%04X at position %d", cp, i + 1);
                }
                i++;
            }
        }
        return null;
    }
}
