package io.eciconnector.vendor;

import java.io.IOException;
import java.io.InputStream;
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
    public long read(InputStream record, String fileName, RecordLimits limits, CallSink out)
            throws RecordException, IOException, InterruptedException {
        if (fileName != null && fileName.toLowerCase(Locale.ROOT).endsWith(".csv")) {
            return readCsv(record, fileName, limits, out);
        }
        return super.read(record, fileName, limits, out);
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

    /**
     * CSV with a header row of field names, one call a row, read a row at a time: each call's original is the header
     * and its own row, as they stood in the file.
     */
    private long readCsv(InputStream in, String fileName, RecordLimits limits, CallSink out)
            throws RecordException, IOException, InterruptedException {
        long[] calls = { 0 };
        long rows = CsvRows.read(in, fileName, limits, row -> {
            if (row.number() == 1 && !row.header().contains("externalId")) {
                throw new RecordException("record " + fileName + " has no externalId column");
            }
            if (row.values() == null) {
                out.accept(MappedCall.failed(null, "row " + row.number() + " of " + fileName + " is larger than "
                        + limits.maxCallBytes() + " bytes (eci.ingest.max-call-bytes): not read", null));
                return;
            }
            if (row.values().size() == 1 && row.values().get(0).isBlank()) {
                return;
            }
            if (calls[0] >= limits.maxCalls()) {
                throw new RecordException("record " + fileName + " holds more than " + limits.maxCalls()
                        + " calls (eci.ingest.max-calls-per-file): the first " + limits.maxCalls()
                        + " were taken in, the rest from row " + row.number() + " on was not read", calls[0], null);
            }
            calls[0]++;
            ObjectNode node = mapper.createObjectNode();
            for (int i = 0; i < row.header().size() && i < row.values().size(); i++) {
                if (!row.values().get(i).isEmpty()) {
                    node.put(row.header().get(i), row.values().get(i));
                }
            }
            String id = idOf(node);
            if (id == null) {
                out.accept(MappedCall.failed(null, "row " + row.number() + " of " + fileName + " has no externalId",
                        row.original()));
                return;
            }
            try {
                out.accept(MappedCall.ok(map(node), row.original()));
            } catch (IllegalArgumentException e) {
                out.accept(MappedCall.failed(id, "call " + id + ": " + e.getMessage(), row.original()));
            }
        });
        if (rows == 0) {
            throw new RecordException("record " + fileName + " holds no call (a header row and one row per call)");
        }
        return calls[0];
    }
}
