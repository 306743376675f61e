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

    /**
     * A record that completes an earlier record of the same call (Twilio: a Call resource and its Recording resource,
     * in either order): the two as one record, readable by {@link #read}; null when these two do not combine.
     */
    default String combine(String earlier, String later) {
        return null;
    }

    /** A part of a call that waits for another record of the same call (the message says which). */
    class IncompleteCall extends RuntimeException {
        public IncompleteCall(String waitingFor) {
            super(waitingFor, null, false, false);
        }
    }

    /** The record as a whole is unreadable (not JSON, not CSV, wrong shape). */
    class RecordException extends Exception {
        public RecordException(String message) {
            super(message);
        }
    }
}
