package io.eciconnector.vendor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eciconnector.model.CanonicalCall;
import io.eciconnector.model.Direction;
import io.eciconnector.model.MappedCall;

/**
 * Base of the JSON vendors. A record may hold one call object, an array of calls, an object with the calls under a
 * list field (calls, data, records, ...), a webhook envelope ({"data": {...}}), or JSON lines (Kinesis Firehose).
 */
abstract class JsonVendorMapper implements VendorMapper {

    static final List<String> LIST_FIELDS = List.of("calls", "records", "data", "items", "results");
    protected final ObjectMapper mapper = new ObjectMapper();
    protected final String defaultRegion;

    JsonVendorMapper(String defaultRegion) {
        this.defaultRegion = defaultRegion;
    }

    /** Maps one call element; throws IllegalArgumentException naming the field and the rule. */
    protected abstract CanonicalCall map(JsonNode call);

    /** The vendor's id of a call element, for naming it in errors. */
    protected abstract String idOf(JsonNode call);

    @Override
    public List<MappedCall> read(byte[] record, String fileName) throws RecordException {
        List<JsonNode> elements = new ArrayList<>();
        try (MappingIterator<JsonNode> values = mapper.readerFor(JsonNode.class)
                .with(JsonParser.Feature.ALLOW_COMMENTS).readValues(record)) {
            while (values.hasNext()) {
                collect(values.next(), elements);
            }
        } catch (IOException | RuntimeException e) {
            throw new RecordException("record " + fileName + " is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (elements.isEmpty()) {
            throw new RecordException("record " + fileName + " holds no call");
        }
        List<MappedCall> out = new ArrayList<>();
        for (JsonNode element : elements) {
            String original = element.toString();
            String id = idOf(element);
            if (id == null || id.isBlank()) {
                out.add(MappedCall.failed(null, "call in " + fileName + " has no id (" + idField() + ")", original));
                continue;
            }
            try {
                out.add(MappedCall.ok(map(element), original));
            } catch (IncompleteCall e) {
                out.add(MappedCall.incomplete(id, e.getMessage(), original));
            } catch (IllegalArgumentException e) {
                out.add(MappedCall.failed(id, "call " + id + ": " + e.getMessage(), original));
            }
        }
        return out;
    }

    /** Name of the id field, for the "no id" message. */
    protected abstract String idField();

    private void collect(JsonNode node, List<JsonNode> into) {
        if (node.isArray()) {
            node.forEach(n -> collect(n, into));
            return;
        }
        if (!node.isObject()) {
            return;
        }
        if (idOf(node) == null) {
            for (String field : LIST_FIELDS) {
                JsonNode inner = node.get(field);
                if (inner != null && (inner.isArray() || inner.isObject())) {
                    collect(inner, into);
                    return;
                }
            }
        }
        into.add(node);
    }

    // ---- helpers for the vendors ----

    protected static String text(JsonNode node, String path) {
        JsonNode v = at(node, path);
        return v == null || v.isNull() || v.isContainerNode() || v.asText().isBlank() ? null : v.asText().trim();
    }

    protected static JsonNode at(JsonNode node, String path) {
        JsonNode v = node;
        for (String part : path.split("\\.")) {
            v = v == null ? null : v.get(part);
        }
        return v == null || v.isMissingNode() ? null : v;
    }

    protected static String required(JsonNode node, String path) {
        String v = text(node, path);
        if (v == null) {
            throw new IllegalArgumentException(path + " is required");
        }
        return v;
    }

    protected String phone(JsonNode node, String path) {
        return PhoneNumbers.e164(text(node, path), defaultRegion);
    }

    /** inbound / outbound words of the vendors; anything else is refused. */
    protected static Direction direction(String value, String field) {
        if (value == null) {
            throw new IllegalArgumentException(field + " is required");
        }
        String v = value.trim().toLowerCase();
        if (v.startsWith("in")) {
            return Direction.INBOUND;
        }
        if (v.startsWith("out")) {
            return Direction.OUTBOUND;
        }
        throw new IllegalArgumentException(field + " '" + value + "' is neither inbound nor outbound");
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
