package io.eciconnector.salesforce;

import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/** Salesforce-style record ids: 15 case-sensitive characters plus the 3-character case-safe suffix. */
public final class SalesforceIds {

    private static final String SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final Pattern ID = Pattern.compile("[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?");

    private final AtomicLong sequence = new AtomicLong();
    private final String pod;

    public SalesforceIds(String pod) {
        this.pod = pod;
    }

    /** A new 18-character id with the given 3-character key prefix (0LQ VoiceCall, 0hn CallCoachingMediaProvider). */
    public String next(String keyPrefix) {
        long n = sequence.incrementAndGet();
        StringBuilder digits = new StringBuilder();
        do {
            digits.insert(0, BASE62.charAt((int) (n % 62)));
            n /= 62;
        } while (n > 0);
        String body = pod + "0".repeat(Math.max(0, 12 - pod.length() - digits.length())) + digits;
        return to18(keyPrefix + body);
    }

    /** Adds the case-safe suffix to a 15-character id. */
    public static String to18(String id15) {
        if (id15.length() != 15) {
            throw new IllegalArgumentException("not a 15-character id: " + id15);
        }
        StringBuilder suffix = new StringBuilder(3);
        for (int chunk = 0; chunk < 3; chunk++) {
            int bits = 0;
            for (int i = 0; i < 5; i++) {
                char c = id15.charAt(chunk * 5 + i);
                if (c >= 'A' && c <= 'Z') {
                    bits |= 1 << i;
                }
            }
            suffix.append(SUFFIX_ALPHABET.charAt(bits));
        }
        return id15 + suffix;
    }

    /** Whether {@code value} is a well-formed 15- or 18-character id with the given key prefix. */
    public static boolean isId(String value, String keyPrefix) {
        return value != null && ID.matcher(value).matches() && value.startsWith(keyPrefix)
                && (value.length() == 15 || to18(value.substring(0, 15)).equals(value));
    }

    /** The 15-character form, for comparing ids given in either length. */
    public static String to15(String id) {
        return id == null || id.length() < 15 ? id : id.substring(0, 15);
    }
}
