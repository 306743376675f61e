package io.eciconnector.signals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The body shapes the signal sources take, read element by element; a broken element costs only itself. */
class RecordReaderTest {

    static final ObjectMapper JSON = new ObjectMapper();
    final RecordReader reader = new RecordReader(JSON, 1000);

    List<RecordReader.Element> read(String body) {
        List<RecordReader.Element> out = new ArrayList<>();
        reader.read(body.getBytes(StandardCharsets.UTF_8), out::add);
        return out;
    }

    static List<String> ids(List<RecordReader.Element> es) {
        return es.stream().map(e -> e.value() == null ? "BROKEN" : e.value().path("id").asText()).toList();
    }

    @Test
    void oneObjectAnArrayJsonLinesAndConcatenatedObjects() {
        assertEquals(List.of("a"), ids(read("{\"id\":\"a\"}")));
        assertEquals(List.of("a", "b"), ids(read("[{\"id\":\"a\"},{\"id\":\"b\"}]")));
        assertEquals(List.of("a", "b"), ids(read("{\"id\":\"a\"}\n{\"id\":\"b\"}\n")));
        assertEquals(List.of("a", "b"), ids(read("{\n  \"id\": \"a\"\n}\n{\n  \"id\": \"b\"\n}")));
        assertEquals(List.of(), ids(read("  \n ")));
        assertEquals(List.of(), ids(read("[]")));
    }

    @Test
    void aBrokenElementOfAPythonStylePrettyArrayCostsOnlyItselfWithItsOwnBytes() {
        String body = "[\n  {\n    \"id\": \"a\"\n  },\n  {\n    \"id\": bravo,\n    \"x\": 1\n  },\n  {\n    \"id\": \"c\"\n  }\n]\n";
        List<RecordReader.Element> es = read(body);
        assertEquals(List.of("a", "BROKEN", "c"), ids(es));
        assertEquals("{\n    \"id\": bravo,\n    \"x\": 1\n  }", es.get(1).text());
        assertTrue(es.get(1).problem().startsWith("not valid JSON"), es.get(1).problem());
        assertTrue(es.get(1).problem().contains("line 2"), es.get(1).problem());
        assertTrue(!es.get(1).problem().contains("bravo"), "the reason quotes none of the record's text (it is logged)");
    }

    @Test
    void anUnterminatedStringOrMissingBraceIsCutAtTheNextSiblingLine() {
        // Jackson's own pretty printer: siblings start after "}, {" at column 0
        String body = "[ {\n  \"id\" : \"a\"\n}, {\n  \"id\" : \"b\n}, {\n  \"id\" : \"c\"\n} ]";
        assertEquals(List.of("a", "BROKEN", "c"), ids(read(body)));
        // JSON lines, a line without its closing brace
        List<RecordReader.Element> lines = read("{\"id\":\"a\"}\n{\"id\":\"b\"\n{\"id\":\"c\"}\n");
        assertEquals(List.of("a", "BROKEN", "c"), ids(lines));
        assertEquals("{\"id\":\"b\"", lines.get(1).text());
    }

    @Test
    void junkAndScalarsAreElementsOfTheirOwn() {
        List<RecordReader.Element> es = read("{not json\n{\"id\":\"z\"}\n42\n");
        assertEquals(3, es.size());
        assertNull(es.get(0).value());
        assertEquals("{not json", es.get(0).text());
        assertEquals("z", es.get(1).value().path("id").asText());
        assertNotNull(es.get(2).value());
        assertTrue(es.get(2).value().isNumber(), "a scalar is read, and refused by the intake as not an object");
    }

    @Test
    void aRecordOverTheBoundIsRefusedNamingTheKey() {
        List<RecordReader.Element> es = read("{\"id\":\"" + "x".repeat(2000) + "\"}\n{\"id\":\"ok\"}");
        assertNull(es.get(0).value());
        assertTrue(es.get(0).problem().contains("eci.signals.max-record-bytes"), es.get(0).problem());
        assertEquals("ok", es.get(1).value().path("id").asText());
    }
}
