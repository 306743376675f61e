package io.eciconnector.vendor;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.eciconnector.model.CanonicalCall;
import io.eciconnector.model.Direction;
import io.eciconnector.model.MappedCall;

/**
 * The generic format: the ECI VoiceCall fields themselves (startDateTime, endDateTime, fromPhoneNumber,
 * toPhoneNumber, callType, userId/userEmail, externalId, recordingDuration, numberChannels, userChannel,
 * recordingFormat, recordId, activityId, sourceType) plus {@code recording}: the recording's file name, key or URL.
 * As JSON (one call, an array, or {"calls": [...]}) or CSV with those names in a header row.
 */
public class GenericMapper extends JsonVendorMapper {

    public GenericMapper(String defaultRegion) {
        super(defaultRegion);
    }

    @Override
    public String name() {
        return "generic";
    }

    @Override
    protected String idField() {
        return "externalId";
    }

    @Override
    protected String idOf(JsonNode call) {
        return text(call, "externalId");
    }

    @Override
    public List<MappedCall> read(byte[] record, String fileName) throws RecordException {
        if (fileName != null && fileName.toLowerCase(Locale.ROOT).endsWith(".csv")) {
            return readCsv(new String(record, StandardCharsets.UTF_8), fileName);
        }
        return super.read(record, fileName);
    }

    @Override
    protected CanonicalCall map(JsonNode c) {
        Direction direction = direction(required(c, "callType"), "callType");
        return CanonicalCall.builder(name()).externalId(required(c, "externalId"))
                .start(Times.iso(required(c, "startDateTime"))).end(Times.iso(required(c, "endDateTime")))
                .recordingSeconds(seconds(c, "recordingDuration")).direction(direction)
                .fromNumber(phone(c, "fromPhoneNumber")).toNumber(phone(c, "toPhoneNumber"))
                .userId(text(c, "userId")).userEmail(text(c, "userEmail")).recording(text(c, "recording"))
                .numberChannels(integer(c, "numberChannels")).userChannel(integer(c, "userChannel"))
                .recordingFormat(text(c, "recordingFormat")).recordId(text(c, "recordId"))
                .activityId(text(c, "activityId")).sourceType(text(c, "sourceType")).build();
    }

    private static Double seconds(JsonNode c, String field) {
        Long v = Times.number(at(c, field));
        return v == null ? null : v.doubleValue();
    }

    private static Integer integer(JsonNode c, String field) {
        Long v = Times.number(at(c, field));
        return v == null ? null : v.intValue();
    }

    /** CSV with a header row of field names; quoted fields may hold commas and doubled quotes. */
    private List<MappedCall> readCsv(String text, String fileName) throws RecordException {
        List<List<String>> rows;
        try {
            rows = Csv.parse(new StringReader(text));
        } catch (IOException e) {
            throw new RecordException("record " + fileName + " is not valid CSV: " + e.getMessage());
        }
        if (rows.size() < 2) {
            throw new RecordException("record " + fileName + " holds no call (a header row and one row per call)");
        }
        List<String> header = rows.get(0);
        if (!header.contains("externalId")) {
            throw new RecordException("record " + fileName + " has no externalId column");
        }
        List<MappedCall> out = new ArrayList<>();
        String[] lines = text.split("\r?\n");
        for (int r = 1; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            if (row.size() == 1 && row.get(0).isBlank()) {
                continue;
            }
            ObjectNode node = mapper.createObjectNode();
            for (int i = 0; i < header.size() && i < row.size(); i++) {
                if (!row.get(i).isEmpty()) {
                    node.put(header.get(i).trim(), row.get(i));
                }
            }
            String original = r < lines.length ? lines[0] + "\n" + lines[r] : node.toString();
            String id = idOf(node);
            if (id == null) {
                out.add(MappedCall.failed(null, "row " + r + " of " + fileName + " has no externalId", original));
                continue;
            }
            try {
                out.add(MappedCall.ok(map(node), original));
            } catch (IllegalArgumentException e) {
                out.add(MappedCall.failed(id, "call " + id + ": " + e.getMessage(), original));
            }
        }
        return out;
    }
}
