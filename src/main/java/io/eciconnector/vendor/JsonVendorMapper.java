package io.eciconnector.vendor;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.eciconnector.model.CanonicalCall;
import io.eciconnector.model.Direction;
import io.eciconnector.model.MappedCall;

/**
 * Base of the JSON vendors. A record may hold one call object, an array of calls, an object with the calls under a
 * list field (calls, data, records, ...), a webhook envelope ({"data": {...}}), or JSON lines (Kinesis Firehose).
 * <p>
 * Read as a stream with Jackson's parser: each call is built (bounded by {@link RecordLimits#maxCallBytes()}) and
 * handed on before the next is read, so a record of any size needs the memory of one call. The parser itself
 * refuses strings, nesting and documents over the bounds ({@link StreamReadConstraints}) while it reads them.
 */
abstract class JsonVendorMapper implements VendorMapper {

    static final List<String> LIST_FIELDS = List.of("calls", "records", "data", "items", "results");
    protected final ObjectMapper mapper = new ObjectMapper();
    protected final String defaultRegion;
    private volatile RecordLimits factoryLimits;
    private volatile JsonFactory factory;

    JsonVendorMapper(String defaultRegion) {
        this.defaultRegion = defaultRegion;
    }

    /** Maps one call element; throws IllegalArgumentException naming the field and the rule. */
    protected abstract CanonicalCall map(JsonNode call);

    /** The vendor's id of a call element, for naming it in errors. */
    protected abstract String idOf(JsonNode call);

    /** A parser factory that enforces the limits while it reads (strings, depth, document length). */
    private JsonFactory factory(RecordLimits limits) {
        JsonFactory f = factory;
        if (f == null || !limits.equals(factoryLimits)) {
            f = JsonFactory.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(limits.maxDepth())
                            .maxStringLength(limits.maxStringChars()).maxDocumentLength(limits.maxRecordBytes())
                            .build())
                    .build();
            factory = f;
            factoryLimits = limits;
        }
        return f;
    }

    /** What one read has handed on so far. */
    private final class Reading {
        final String fileName;
        final RecordLimits limits;
        final CallSink out;
        long elements;

        Reading(String fileName, RecordLimits limits, CallSink out) {
            this.fileName = fileName;
            this.limits = limits;
            this.out = out;
        }

        void call(JsonNode element) throws IOException, InterruptedException, RecordException {
            if (elements >= limits.maxCalls()) {
                throw new RecordException("record " + fileName + " holds more than " + limits.maxCalls()
                        + " calls (eci.ingest.max-calls-per-file): the first " + limits.maxCalls()
                        + " were taken in, the rest from call " + (limits.maxCalls() + 1) + " on was not read",
                        elements, null);
            }
            elements++;
            out.accept(mapped(element, fileName));
        }

        void failed(String error) throws IOException, InterruptedException, RecordException {
            if (elements >= limits.maxCalls()) {
                call(null); // throws
            }
            elements++;
            out.accept(MappedCall.failed(null, error, null));
        }
    }

    @Override
    public long read(InputStream record, String fileName, RecordLimits limits, CallSink out)
            throws RecordException, IOException, InterruptedException {
        Reading r = new Reading(fileName, limits, out);
        try (JsonParser p = factory(limits).createParser(record)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                value(p, t, r);
            }
        } catch (StreamConstraintsException e) {
            throw new RecordException("record " + fileName + " " + bound(e, limits) + at(e, r), r.elements, null);
        } catch (JsonProcessingException e) {
            throw new RecordException("record " + fileName + " is not valid JSON: " + RecordText.reason(e) + at(e, r),
                    r.elements, null);
        }
        if (r.elements == 0) {
            throw new RecordException("record " + fileName + " holds no call");
        }
        return r.elements;
    }

    private static String at(JsonProcessingException e, Reading r) {
        return (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")") + (r.elements == 0 ? "" : "; the " + r.elements
                        + " call(s) before it were taken in, the rest of the record was not read");
    }

    /** Which bound a constraint exception is, in the configuration's words. */
    private static String bound(StreamConstraintsException e, RecordLimits limits) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("String value length")) {
            return "has a string longer than " + limits.maxStringChars() + " characters (eci.ingest.max-string-chars)";
        }
        if (m.contains("nesting depth")) {
            return "is nested deeper than " + limits.maxDepth() + " levels (eci.ingest.max-json-depth)";
        }
        if (m.contains("Document length") || m.contains("document length")) {
            return "is larger than " + limits.maxRecordBytes() + " bytes (eci.ingest.max-record-file-bytes)";
        }
        return "breaks a bound of the JSON reader: " + RecordText.reason(e);
    }

    /** A value at the level where calls are looked for (the root, an array of calls, a list field). */
    private void value(JsonParser p, JsonToken t, Reading r) throws IOException, InterruptedException, RecordException {
        if (t == JsonToken.START_ARRAY) {
            JsonToken e;
            while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
                if (e == null) {
                    throw new com.fasterxml.jackson.core.io.JsonEOFException(p, null, "unexpected end of the record in an array");
                }
                value(p, e, r);
            }
        } else if (t == JsonToken.START_OBJECT) {
            object(p, r);
        }
        // scalars where calls are looked for are no calls: ignored, as before
    }

    /**
     * An object where a call is looked for: a call, or an envelope whose list field (an array) is read element by
     * element; an object larger than a call may be is refused alone and reading goes on after it.
     */
    private void object(JsonParser p, Reading r) throws IOException, InterruptedException, RecordException {
        long start = p.currentTokenLocation().getByteOffset();
        JsonStreamContext parent = p.getParsingContext().getParent();
        ObjectNode partial = JsonNodeFactory.instance.objectNode();
        boolean envelope = false;
        JsonToken t;
        try {
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (!envelope && v == JsonToken.START_ARRAY && LIST_FIELDS.contains(name) && idOf(partial) == null) {
                    envelope = true;
                    value(p, v, r);
                } else if (envelope) {
                    p.skipChildren();
                } else {
                    partial.set(name, tree(p, start, r.limits.maxCallBytes()));
                    if (p.currentLocation().getByteOffset() - start > r.limits.maxCallBytes()) {
                        throw new TooLarge();
                    }
                }
            }
        } catch (TooLarge e) {
            skipTo(p, parent);
            String id = idOf(partial);
            r.failed("call " + (r.elements + 1) + (id == null ? "" : " (" + RecordText.escape(id) + ")") + " of record "
                    + r.fileName + " is larger than " + r.limits.maxCallBytes()
                    + " bytes (eci.ingest.max-call-bytes): not read; the record is kept whole where it was archived");
            return;
        }
        if (envelope) {
            return;
        }
        List<JsonNode> elements = new ArrayList<>();
        collect(partial, elements);
        for (JsonNode element : elements) {
            r.call(element);
        }
    }

    /** Reads on to the end of the object whose parent context is {@code parent}, building nothing. */
    private static void skipTo(JsonParser p, JsonStreamContext parent) throws IOException {
        while (!(p.currentToken() == JsonToken.END_OBJECT && p.getParsingContext() == parent)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new com.fasterxml.jackson.core.io.JsonEOFException(p, null, "unexpected end of the record");
            }
            if (t.isStructStart()) {
                p.skipChildren();
            }
        }
    }

    /** A call that grew past its bound while it was built. */
    private static final class TooLarge extends Exception {
        TooLarge() {
            super(null, null, false, false);
        }
    }

    /**
     * The value at the parser's current token as a tree, without recursion; throws TooLarge once the parser is more
     * than {@code max} bytes past {@code start}.
     */
    private static JsonNode tree(JsonParser p, long start, long max) throws IOException, TooLarge {
        JsonToken t = p.currentToken();
        if (!t.isStructStart()) {
            return scalar(p, t);
        }
        JsonNodeFactory f = JsonNodeFactory.instance;
        JsonNode root = t == JsonToken.START_OBJECT ? f.objectNode() : f.arrayNode();
        Deque<JsonNode> stack = new ArrayDeque<>();
        stack.push(root);
        String name = null;
        while (!stack.isEmpty()) {
            t = p.nextToken();
            if (t == null) {
                throw new com.fasterxml.jackson.core.io.JsonEOFException(p, null, "unexpected end of the record");
            }
            if (p.currentLocation().getByteOffset() - start > max) {
                throw new TooLarge();
            }
            JsonNode top = stack.peek();
            switch (t) {
                case FIELD_NAME -> name = p.currentName();
                case END_OBJECT, END_ARRAY -> stack.pop();
                case START_OBJECT, START_ARRAY -> {
                    JsonNode c = t == JsonToken.START_OBJECT ? f.objectNode() : f.arrayNode();
                    add(top, name, c);
                    stack.push(c);
                }
                default -> add(top, name, scalar(p, t));
            }
        }
        return root;
    }

    private static void add(JsonNode container, String name, JsonNode value) {
        if (container instanceof ObjectNode o) {
            o.set(name, value);
        } else {
            ((ArrayNode) container).add(value);
        }
    }

    private static JsonNode scalar(JsonParser p, JsonToken t) throws IOException {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (t) {
            case VALUE_STRING -> f.textNode(p.getText());
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT -> f.numberNode(p.getIntValue());
                case LONG -> f.numberNode(p.getLongValue());
                default -> f.numberNode(p.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> f.numberNode(p.getDoubleValue());
            case VALUE_TRUE -> f.booleanNode(true);
            case VALUE_FALSE -> f.booleanNode(false);
            case VALUE_EMBEDDED_OBJECT -> f.pojoNode(p.getEmbeddedObject());
            default -> f.nullNode();
        };
    }

    /** One call element, mapped or failed with its rule. */
    private MappedCall mapped(JsonNode element, String fileName) {
        String original = element.toString();
        String id = idOf(element);
        if (id == null || id.isBlank()) {
            return MappedCall.failed(null, "call in " + fileName + " has no id (" + idField() + ")", original);
        }
        try {
            return MappedCall.ok(map(element), original);
        } catch (IncompleteCall e) {
            return MappedCall.incomplete(id, e.getMessage(), original);
        } catch (IllegalArgumentException e) {
            return MappedCall.failed(id, "call " + id + ": " + e.getMessage(), original);
        }
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
