package io.eciconnector.sandbox;

import io.eciconnector.salesforce.SalesforceIds;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SOQL the connector needs, over the sandbox's records: {@code SELECT f1, f2 FROM Object [WHERE a = 'x' AND b IN
 * ('y','z') AND c = true] [ORDER BY f [ASC|DESC]] [LIMIT n]} on VoiceCall, User and CallCoachingMediaProvider.
 */
final class Soql {

    static final class QueryException extends Exception {
        final String errorCode;

        QueryException(String errorCode, String message) {
            super(message);
            this.errorCode = errorCode;
        }
    }

    private static final Pattern QUERY = Pattern.compile(
            "(?is)\\s*SELECT\\s+(.+?)\\s+FROM\\s+(\\w+)(?:\\s+WHERE\\s+(.+?))?(?:\\s+ORDER\\s+BY\\s+(\\w+)(?:\\s+(ASC|DESC))?)?(?:\\s+LIMIT\\s+(\\d+))?\\s*");
    private static final Pattern CONDITION = Pattern.compile(
            "(?is)\\s*(\\w+)\\s*(?:=\\s*('(?:[^'\\\\]|\\\\.)*'|true|false|null)|IN\\s*\\(((?:\\s*'(?:[^'\\\\]|\\\\.)*'\\s*,?)+)\\))\\s*");
    private static final Pattern LITERAL = Pattern.compile("'((?:[^'\\\\]|\\\\.)*)'");

    private Soql() {
    }

    static List<Map<String, Object>> run(String soql, SandboxState org) throws QueryException {
        Matcher m = QUERY.matcher(soql);
        if (!m.matches()) {
            throw new QueryException("MALFORMED_QUERY", "unexpected token in query: " + soql);
        }
        String type = canonicalType(m.group(2));
        List<Map<String, Object>> all = records(type, org);
        List<String> fields = new ArrayList<>();
        for (String f : m.group(1).split(",")) {
            fields.add(field(type, f.trim()));
        }
        List<Map<String, Object>> matching = new ArrayList<>();
        List<String[]> conditions = conditions(type, m.group(3));
        for (Map<String, Object> record : all) {
            if (conditions.stream().allMatch(c -> matches(record, c))) {
                matching.add(record);
            }
        }
        if (m.group(4) != null) {
            String order = field(type, m.group(4));
            Comparator<Map<String, Object>> cmp = Comparator.comparing(r -> String.valueOf(r.get(order)));
            matching.sort("DESC".equalsIgnoreCase(m.group(5)) ? cmp.reversed() : cmp);
        }
        if (m.group(6) != null) {
            matching = matching.subList(0, Math.min(matching.size(), Integer.parseInt(m.group(6))));
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> record : matching) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("attributes", attributes(type, (String) record.get("Id")));
            for (String f : fields) {
                r.put(f, record.get(f));
            }
            out.add(r);
        }
        return out;
    }

    static Map<String, String> attributes(String type, String id) {
        return Map.of("type", type, "url", "/services/data/v60.0/sobjects/" + type + "/" + id);
    }

    /** Each condition: {field, '=' or 'IN', values separated by \u0000}. */
    private static List<String[]> conditions(String type, String where) throws QueryException {
        List<String[]> out = new ArrayList<>();
        if (where == null) {
            return out;
        }
        for (String part : where.split("(?i)\\s+AND\\s+(?=(?:[^']*'[^']*')*[^']*$)")) {
            Matcher c = CONDITION.matcher(part);
            if (!c.matches()) {
                throw new QueryException("MALFORMED_QUERY", "unsupported condition: " + part.trim());
            }
            String field = field(type, c.group(1));
            if (c.group(2) != null) {
                out.add(new String[] { field, "=", literal(c.group(2)) });
            } else {
                List<String> values = new ArrayList<>();
                Matcher lit = LITERAL.matcher(c.group(3));
                while (lit.find()) {
                    values.add(unescape(lit.group(1)));
                }
                out.add(new String[] { field, "IN", String.join("\u0000", values) });
            }
        }
        return out;
    }

    private static boolean matches(Map<String, Object> record, String[] condition) {
        Object value = record.get(condition[0]);
        String actual = value == null ? "\u0001null" : String.valueOf(value);
        if (condition[1].equals("=")) {
            if (condition[0].equals("Id") && value != null) {
                return SalesforceIds.to15(actual).equals(SalesforceIds.to15(condition[2]));
            }
            return actual.equalsIgnoreCase(condition[2]);
        }
        for (String v : condition[2].split("\u0000")) {
            if (actual.equalsIgnoreCase(v)) {
                return true;
            }
        }
        return false;
    }

    private static String literal(String token) {
        if (token.startsWith("'")) {
            return unescape(token.substring(1, token.length() - 1));
        }
        return token.equalsIgnoreCase("null") ? "\u0001null" : token.toLowerCase(Locale.ROOT);
    }

    private static String unescape(String s) {
        return s.replaceAll("\\\\(.)", "$1");
    }

    private static String canonicalType(String type) throws QueryException {
        for (String t : List.of("VoiceCall", "User", "CallCoachingMediaProvider")) {
            if (t.equalsIgnoreCase(type)) {
                return t;
            }
        }
        throw new QueryException("INVALID_TYPE", "sObject type '" + type + "' is not supported by the sandbox");
    }

    private static String field(String type, String name) throws QueryException {
        if (type.equals("User") && name.toLowerCase(Locale.ROOT).endsWith("__c")) {
            return name;
        }
        for (String f : fieldNames(type)) {
            if (f.equalsIgnoreCase(name)) {
                return f;
            }
        }
        throw new QueryException("INVALID_FIELD", "No such column '" + name + "' on entity '" + type + "'");
    }

    private static List<String> fieldNames(String type) {
        return switch (type) {
            case "VoiceCall" -> List.of("Id", "VendorCallKey", "CallType", "FromPhoneNumber", "ToPhoneNumber",
                    "CallStartDateTime", "CallEndDateTime", "CallDurationInSeconds", "OwnerId", "CallRecordingId", "CreatedDate");
            case "CallCoachingMediaProvider" -> List.of("Id", "ProviderName", "ProviderDescription", "IsActive",
                    "CreatedDate");
            default -> userFieldNames();
        };
    }

    private static List<String> userFieldNames() {
        return List.of("Id", "Email", "Phone", "MobilePhone", "Username", "IsActive", "LastModifiedDate", "Name");
    }

    /** Every record of the type, as field maps (custom User fields included). */
    static List<Map<String, Object>> records(String type, SandboxState org) {
        List<Map<String, Object>> out = new ArrayList<>();
        switch (type) {
            case "VoiceCall" -> {
                for (SandboxState.VoiceCall c : org.voiceCalls()) {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("Id", c.id);
                    r.put("VendorCallKey", c.vendorCallKey);
                    r.put("CallType", c.fields.path("callType").asText(null));
                    r.put("FromPhoneNumber", c.fields.path("fromPhoneNumber").asText(null));
                    r.put("ToPhoneNumber", c.fields.path("toPhoneNumber").asText(null));
                    r.put("CallStartDateTime", c.fields.path("startDateTime").asText(null));
                    r.put("CallEndDateTime", c.fields.path("endDateTime").asText(null));
                    r.put("CallDurationInSeconds", c.fields.path("recordingDuration").asLong());
                    r.put("OwnerId", c.fields.path("ownerId").asText(null));
                    // the Voice Call Recording of a received recording (one per call, as the org links it)
                    r.put("CallRecordingId", "RECEIVED".equals(c.recording.status) ? "0Lr" + c.id.substring(3) : null);
                    r.put("CreatedDate", SandboxState.sfDate(c.created));
                    out.add(r);
                }
            }
            case "CallCoachingMediaProvider" -> {
                for (SandboxState.Provider p : org.providers()) {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("Id", p.id());
                    r.put("ProviderName", p.name());
                    r.put("ProviderDescription", p.description());
                    r.put("IsActive", p.active());
                    r.put("CreatedDate", SandboxState.sfDate(p.created()));
                    out.add(r);
                }
            }
            default -> {
                for (SandboxState.User u : org.users()) {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("Id", u.id);
                    r.put("Email", u.email);
                    r.put("Phone", u.phone);
                    r.put("MobilePhone", null);
                    r.put("Username", u.username);
                    r.put("IsActive", u.active);
                    r.put("LastModifiedDate", u.lastModified);
                    r.put("Name", u.email);
                    r.putAll(u.fields);
                    out.add(r);
                }
            }
        }
        return out;
    }
}
