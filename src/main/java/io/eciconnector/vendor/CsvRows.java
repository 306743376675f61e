package io.eciconnector.vendor;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.DuplicateHeaderMode;

/**
 * CSV with a header row, read with commons-csv one row at a time (RFC 4180: quoted fields may hold commas, line
 * breaks and doubled quotes). Each row is handed on with its own text as it stood in the file, so a row's original
 * is the header and that row (a record of its own, replayable), never a neighbour's lines.
 * <p>
 * A row that breaks the CSV syntax (an unterminated quote, a character after a closing quote) ends the reading: the
 * rows before it were handed on; the header with the rest of the file from that row on is the rest (kept when it is
 * at most a call's bound, else only referred to). A row, or a quoted field that never closes, longer than
 * {@link RecordLimits#maxCallBytes()} is refused the same way without being held.
 */
final class CsvRows {

    /** One row: its number (1 is the first after the header), header names, values, and header + row as text. */
    record Row(long number, List<String> header, List<String> values, String original) {
    }

    interface RowSink {
        void accept(Row row) throws IOException, InterruptedException, VendorMapper.RecordException;
    }

    private CsvRows() {
    }

    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true)
            .setIgnoreEmptyLines(true).setAllowMissingColumnNames(true)
            .setDuplicateHeaderMode(DuplicateHeaderMode.ALLOW_ALL).get();

    /** Hands each row on; answers how many; throws RecordException for a broken header or a broken row. */
    static long read(InputStream in, String fileName, RecordLimits limits, RowSink out)
            throws IOException, InterruptedException, VendorMapper.RecordException {
        Capture text = new Capture(new InputStreamReader(in, StandardCharsets.UTF_8), limits);
        CSVParser parser;
        try {
            parser = CSVParser.builder().setReader(text).setFormat(FORMAT).get();
        } catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
            throw new VendorMapper.RecordException("record " + fileName + " has no readable CSV header row: "
                    + why(e, text));
        }
        List<String> header = new ArrayList<>();
        for (String h : parser.getHeaderNames()) {
            header.add(header.isEmpty() ? h.replace("\uFEFF", "").trim() : h.trim());
        }
        String headerText = null;
        long rows = 0;
        long restFrom = -1;
        Iterator<CSVRecord> records = parser.iterator();
        while (true) {
            CSVRecord record;
            try {
                if (!records.hasNext()) {
                    break;
                }
                record = records.next();
            } catch (UncheckedIOException | IllegalStateException e) {
                long from = restFrom >= 0 ? restFrom : headerEnd(text);
                String rest = text.eof() && !text.overBound() ? text.since(from) : null;
                String head = headerText != null ? headerText : text.headerLine();
                throw new VendorMapper.RecordException("record " + fileName + ": row " + (rows + 1)
                        + " is not valid CSV (" + why(e, text) + ")" + (rows == 0 ? "" : "; the " + rows
                                + " row(s) before it were taken in")
                        + ", that row and the rest of the file were not read", rows,
                        rest == null || head == null ? null : head + "\n" + rest);
            }
            long pos = record.getCharacterPosition();
            if (headerText == null) {
                headerText = text.headerLine();
            }
            int[] end = Capture.rowEnd(text.buffer(), (int) (pos - text.base()));
            String rowText = text.buffer().substring((int) (pos - text.base()), end[0]);
            restFrom = text.base() + end[1];
            text.keepFrom(restFrom);
            rows++;
            List<String> values = new ArrayList<>(record.size());
            record.forEach(values::add);
            if (rowText.length() > limits.maxCallBytes()) {
                out.accept(new Row(rows, header, null, null));
            } else {
                out.accept(new Row(rows, header, values, headerText + "\n" + rowText));
            }
        }
        return rows;
    }

    private static long headerEnd(Capture text) {
        String h = text.headerLine();
        return h == null ? 0 : Capture.rowEnd(text.buffer(), 0)[1] + text.base();
    }

    private static String why(Exception e, Capture text) {
        if (text.overBound()) {
            return text.bound();
        }
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        String m = String.valueOf(c.getMessage()).replaceFirst("^IOException reading next record: ", "")
                .replaceFirst("^java\\.io\\.IOException: ", "");
        return RecordText.escape(m);
    }

    /**
     * The characters read so far from the last row handed on (the header's first line is kept too), with the
     * bounds: the whole record, and what is held past the last row.
     */
    static final class Capture extends Reader {
        private final Reader in;
        private final RecordLimits limits;
        private final StringBuilder buf = new StringBuilder();
        private String headerLine;
        private long base;
        private long total;
        private boolean eof;
        private String bound;

        Capture(Reader in, RecordLimits limits) {
            this.in = in;
            this.limits = limits;
        }

        @Override
        public int read(char[] cbuf, int off, int len) throws IOException {
            if (bound != null) {
                throw new IOException(bound);
            }
            int n = in.read(cbuf, off, Math.min(len, 8192));
            if (n < 0) {
                eof = true;
                return n;
            }
            buf.append(cbuf, off, n);
            total += n;
            if (total > limits.maxRecordBytes()) {
                bound = "the record is larger than " + limits.maxRecordBytes() + " bytes (eci.ingest.max-record-file-bytes)";
            } else if (total - base > limits.maxCallBytes() + 16384) {
                bound = "a row longer than " + limits.maxCallBytes() + " bytes (eci.ingest.max-call-bytes)";
            }
            if (bound != null) {
                throw new IOException(bound);
            }
            return n;
        }

        StringBuilder buffer() {
            return buf;
        }

        long base() {
            return base;
        }

        boolean eof() {
            return eof;
        }

        boolean overBound() {
            return bound != null;
        }

        String bound() {
            return bound;
        }

        /** The header row as it stood (known once the parser read past it). */
        String headerLine() {
            if (headerLine == null && base == 0 && buf.length() > 0) {
                int[] end = rowEnd(buf, 0);
                if (end[1] < buf.length() || eof) {
                    headerLine = buf.substring(0, end[0]);
                }
            }
            return headerLine;
        }

        String since(long from) {
            return buf.substring((int) Math.max(0, from - base));
        }

        void keepFrom(long position) {
            headerLine();
            buf.delete(0, (int) (position - base));
            base = position;
        }

        /**
         * Where the row starting at {@code start} ends: {end of its text, start of what follows its line break};
         * quotes respected (a quoted line break is part of the row).
         */
        static int[] rowEnd(CharSequence b, int start) {
            boolean quoted = false;
            for (int i = start; i < b.length(); i++) {
                char c = b.charAt(i);
                if (c == '"') {
                    quoted = !quoted;
                } else if (!quoted && (c == '\n' || c == '\r')) {
                    int next = c == '\r' && i + 1 < b.length() && b.charAt(i + 1) == '\n' ? i + 2 : i + 1;
                    return new int[] { i, next };
                }
            }
            return new int[] { b.length(), b.length() };
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
