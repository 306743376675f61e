package io.eciconnector.vendor;

/** Text from a record as it may appear in a reason (reasons are logged): escaped, and parser messages without quotes. */
final class RecordText {

    private RecordText() {
    }

    /** Control and invisible characters as \\uXXXX, at most 200 characters. */
    static String escape(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 200; i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT || c == 0x2028 || c == 0x2029) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** What a parser found wrong, cut before any text of the record it quotes. */
    static String reason(Exception e) {
        String what = e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getOriginalMessage() != null
                ? j.getOriginalMessage() : String.valueOf(e.getMessage());
        int cut = what.length();
        for (char c : new char[] { '\'', '"', '(', ':', '\n', '`' }) {
            int i = what.indexOf(c);
            if (i >= 0 && i < cut) {
                cut = i;
            }
        }
        String r = what.substring(0, cut).trim();
        return r.isEmpty() ? e.getClass().getSimpleName() : r;
    }
}
