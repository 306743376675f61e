package io.eciconnector.vendor;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/** RFC 4180 CSV: comma-separated, double-quoted fields may hold commas, line breaks and doubled quotes. */
final class Csv {

    private Csv() {
    }

    static List<List<String>> parse(Reader in) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        int c;
        while ((c = in.read()) != -1) {
            if (quoted) {
                if (c == '"') {
                    in.mark(1);
                    int next = in.read();
                    if (next == '"') {
                        field.append('"');
                    } else {
                        quoted = false;
                        if (next == -1) {
                            break;
                        }
                        handle(next, row, field, rows);
                    }
                } else {
                    field.append((char) c);
                }
            } else if (c == '"' && field.length() == 0) {
                quoted = true;
            } else {
                handle(c, row, field, rows);
            }
        }
        if (quoted) {
            throw new IOException("unterminated quoted field");
        }
        if (field.length() > 0 || !row.isEmpty()) {
            row.add(field.toString());
            rows.add(row);
        }
        return rows;
    }

    private static void handle(int c, List<String> row, StringBuilder field, List<List<String>> rows) {
        switch (c) {
            case ',' -> {
                row.add(field.toString());
                field.setLength(0);
            }
            case '\n' -> {
                row.add(field.toString());
                field.setLength(0);
                rows.add(new ArrayList<>(row));
                row.clear();
            }
            case '\r' -> {
            }
            default -> field.append((char) c);
        }
    }
}
