package io.eciconnector.vendor;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber;

/** E.164 normalisation with libphonenumber, and masking for logs. */
public final class PhoneNumbers {

    private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

    private PhoneNumbers() {
    }

    /**
     * The number in E.164 (+14155550101) when libphonenumber can read it, reading national numbers in
     * {@code defaultRegion}; otherwise the input trimmed (ECI prefers E.164 but does not require it). Null stays null.
     */
    public static String e164(String raw, String defaultRegion) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String v = raw.trim();
        try {
            Phonenumber.PhoneNumber n = UTIL.parse(v, defaultRegion);
            if (UTIL.isPossibleNumber(n)) {
                return UTIL.format(n, PhoneNumberUtil.PhoneNumberFormat.E164);
            }
        } catch (NumberParseException e) {
            // not a phone number libphonenumber knows (client:alice, anonymous, ...): keep it as given
        }
        return v;
    }

    /** For logs: +1415*****01. Phone numbers are never logged whole. */
    public static String mask(String number) {
        if (number == null) {
            return null;
        }
        if (number.length() <= 4) {
            return "****";
        }
        int keepStart = Math.min(5, number.length() / 3);
        return number.substring(0, keepStart) + "*".repeat(number.length() - keepStart - 2)
                + number.substring(number.length() - 2);
    }
}
