package io.eciconnector.model;

/** Call direction as ECI's callType spells it. */
public enum Direction {
    INBOUND("Inbound"),
    OUTBOUND("Outbound");

    private final String callType;

    Direction(String callType) {
        this.callType = callType;
    }

    public String callType() {
        return callType;
    }
}
