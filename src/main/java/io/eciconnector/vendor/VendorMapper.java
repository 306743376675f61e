package io.eciconnector.vendor;

import java.util.List;

import io.eciconnector.model.MappedCall;

/** Reads one vendor record (a file or object holding one call or many) into canonical calls. */
public interface VendorMapper {

    /** The vendor name used in route files and in the ledger: generic, amazon-connect, aircall, ... */
    String name();

    /**
     * Reads the record. Calls that cannot be read come back as failed {@link MappedCall}s naming the rule; a record
     * that cannot be read at all throws.
     */
    List<MappedCall> read(byte[] record, String fileName) throws RecordException;

    /** The record as a whole is unreadable (not JSON, not CSV, wrong shape). */
    class RecordException extends Exception {
        public RecordException(String message) {
            super(message);
        }
    }
}
