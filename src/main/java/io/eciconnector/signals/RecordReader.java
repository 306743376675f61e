package io.eciconnector.signals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The records of a body, read with Jackson's streaming parser: one JSON value, a JSON array of them, JSON lines, or
 * values one after another (pretty-printed or not). Each element is handed on with its own bytes; an element that is
 * not valid JSON is handed on as broken (with its bytes and the parser's message) and reading goes on at the next
 * element, so one broken element costs only itself. Pure: no I/O.
 * <p>
 * Where a broken element ends: the first of (a) the end of its brackets (strings and escapes respected), (b) a later
 * line that starts at or left of the element's own column with a closing bracket (its end) or an opening one (the next
 * element). (b) is what still works when the element's own brackets or quotes are broken: pretty-printers and JSON
 * lines put siblings at the same column.
 */
public final class RecordReader {

    /** One element of the body: its index (0-based), its bytes as text, and either the value or why it is broken. */
    public record Element(int index, String text, int bytes, JsonNode value, String problem) {
    }

    private final ObjectMapper json;
    private final int maxRecordBytes;

    public RecordReader(ObjectMapper json, int maxRecordBytes) {
        this.json = json;
        this.maxRecordBytes = maxRecordBytes;
    }

    /** Hands each element of the body on, in order; answers how many there were. */
    public int read(byte[] body, Consumer<Element> out) {
        int len = body.length;
        int pos = skipBom(body);
        boolean inArray = false;
        int index = 0;
        while (true) {
            pos = skipWhitespace(body, pos);
            if (pos >= len) {
                return index;
            }
            byte c = body[pos];
            if (inArray && c == ']') {
                inArray = false;
                pos++;
                continue;
            }
            if (inArray && c == ',') {
                pos++;
                continue;
            }
            if (!inArray && c == '[') {
                inArray = true;
                pos++;
                continue;
            }
            int start = pos;
            JsonNode value = null;
            String problem = null;
            int end;
            try (JsonParser p = json.getFactory().createParser(body, start, len - start)) {
                value = json.readTree(p);
                end = start + (int) p.currentLocation().getByteOffset();
            } catch (JsonProcessingException e) {
                problem = invalid(e);
                end = brokenEnd(body, start);
            } catch (IOException e) {
                problem = "unreadable: " + e.getMessage();
                end = brokenEnd(body, start);
            }
            if (end <= start) {
                end = Math.min(len, start + 1); // always make progress
            }
            int textEnd = end;
            while (textEnd > start && (isWhitespace(body[textEnd - 1]) || (problem != null && body[textEnd - 1] == ','))) {
                textEnd--;
            }
            int size = textEnd - start;
            if (problem == null && size > maxRecordBytes) {
                problem = "the record is " + size + " bytes; a record may be at most " + maxRecordBytes
                        + " bytes (eci.signals.max-record-bytes)";
                value = null;
            }
            out.accept(new Element(index++, new String(body, start, size, StandardCharsets.UTF_8), size, value, problem));
            pos = end;
        }
    }

    /**
     * What the parser found wrong and where (line and column within the element), without the text it quotes: a
     * reason is logged, and a record's text (a transcript) never is.
     */
    static String invalid(JsonProcessingException e) {
        String what = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        int cut = what.length();
        for (char c : new char[] { '\'', '"', '(', ':', '\n' }) {
            int i = what.indexOf(c);
            if (i >= 0 && i < cut) {
                cut = i;
            }
        }
        what = what.substring(0, cut).trim();
        com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
        return "not valid JSON" + (what.isEmpty() ? "" : " (" + what + ")")
                + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr() + " of the record");
    }

    /** Where a broken element that starts at {@code start} ends (see the class comment). */
    static int brokenEnd(byte[] b, int start) {
        int byBrackets = bracketEnd(b, start);
        int byLines = lineEnd(b, start);
        if (byBrackets < 0) {
            return byLines < 0 ? b.length : byLines;
        }
        return byLines < 0 ? byBrackets : Math.min(byBrackets, byLines);
    }

    /** The end of the element by its brackets, or -1 when they do not close. */
    private static int bracketEnd(byte[] b, int start) {
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < b.length; i++) {
            byte c = b[i];
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            switch (c) {
                case '"' -> inString = true;
                case '{', '[' -> depth++;
                case '}', ']' -> {
                    depth--;
                    if (depth == 0) {
                        return i + 1;
                    }
                    if (depth < 0) {
                        return i; // the enclosing array closes: the element ended before it
                    }
                }
                case ',', '\n' -> {
                    if (depth == 0) {
                        return i;
                    }
                }
                default -> {
                }
            }
        }
        return -1;
    }

    /** The end of the element by the column of the lines after its first, or -1 when no later line tells. */
    private static int lineEnd(byte[] b, int start) {
        int lineStart = start;
        while (lineStart > 0 && b[lineStart - 1] != '\n') {
            lineStart--;
        }
        int column = start - lineStart;
        int i = start;
        while (true) {
            while (i < b.length && b[i] != '\n') {
                i++;
            }
            if (i >= b.length) {
                return -1;
            }
            int next = ++i;
            int j = next;
            while (j < b.length && (b[j] == ' ' || b[j] == '\t' || b[j] == '\r')) {
                j++;
            }
            if (j >= b.length || b[j] == '\n') {
                continue;
            }
            if (j - next <= column) {
                byte c = b[j];
                if (c == '}' || c == ']') {
                    return c == ']' && j - next < column ? next : j + 1;
                }
                if (c == '{' || c == '[') {
                    return next;
                }
            }
        }
    }

    private static int skipBom(byte[] b) {
        return b.length >= 3 && (b[0] & 0xFF) == 0xEF && (b[1] & 0xFF) == 0xBB && (b[2] & 0xFF) == 0xBF ? 3 : 0;
    }

    private static int skipWhitespace(byte[] b, int pos) {
        while (pos < b.length && isWhitespace(b[pos])) {
            pos++;
        }
        return pos;
    }

    private static boolean isWhitespace(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }
}
