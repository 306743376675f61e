package io.eciconnector.vendor;

import io.eciconnector.security.LogText;

/** Text from a record as it may appear in a reason (reasons are logged): escaped, and parser messages without quotes. */
final class RecordText {

    private RecordText() {
    }

    /** The text escaped for a log line (LogText), at most 200 characters of the record. */
    static String escape(String s) {
        return s == null ? null : LogText.escape(s.length() > 200 ? s.substring(0, 200) : s);
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
