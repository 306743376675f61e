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

    /** Prefix of an internal extension that has no phone number of its own (RingCentral extension-to-extension). */
    public static final String EXTENSION = "ext:";
    /** Prefix of a Twilio Client identity: an app user of the vendor's, never a phone number. */
    public static final String CLIENT = "client:";

    /** Whether this is a phone number libphonenumber can read (E.164, or national in {@code defaultRegion}). */
    public static boolean isPhoneNumber(String value, String defaultRegion) {
        // digits with the usual separators, "(415) 555-0101" as Salesforce shows a User's Phone included
        if (value == null || !value.trim().matches("\\+?\\(?[0-9][0-9 ().-]*")) {
            return false; // client:alice, sip:..., ext:101, anonymous, restricted
        }
        try {
            return UTIL.isPossibleNumber(UTIL.parse(value.trim(), defaultRegion));
        } catch (NumberParseException e) {
            return false;
        }
    }

    /** Whether a participant that is no phone number is one of the vendor's own users (a Client identity, an extension). */
    public static boolean isInternalIdentity(String value) {
        return value != null && (value.startsWith(CLIENT) || value.startsWith(EXTENSION));
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
