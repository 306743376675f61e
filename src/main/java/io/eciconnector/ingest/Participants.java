package io.eciconnector.ingest;

import java.io.IOException;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.eciconnector.model.CanonicalCall;
import io.eciconnector.model.Direction;
import io.eciconnector.salesforce.SalesforceIds;
import io.eciconnector.vendor.PhoneNumbers;

/**
 * Who is on a call, as the Voice Connector counts it: "calls include at least two participants, with one participant
 * not internal". The rep's side is internal by definition; the other side is internal when it is the vendor's own
 * user (a Twilio Client identity, {@code client:...}; an extension without a number, {@code ext:...}) or when its
 * number is the Phone of an active user of the org (a call between colleagues). A participant that is no phone
 * number is never sent as one: the rep's becomes the rep's own Phone, the other side's makes the call skipped.
 */
@ApplicationScoped
public class Participants {

    /** The call to go on with (the rep's participant a phone number), or why it is skipped. */
    public record Rep(CanonicalCall call, Verdict skip) {
    }

    @Inject
    UserMatcher users;

    @ConfigProperty(name = "eci.phone.default-region", defaultValue = "US")
    String region;

    /** Why the other side of the call makes it one not to process; null when it is a customer's phone number. */
    Verdict otherSide(CanonicalCall c) throws IOException, InterruptedException {
        String other = c.customerNumber();
        if (PhoneNumbers.isInternalIdentity(other)) {
            return Verdict.skip("internal-call", "call " + c.externalId() + ": every participant is internal (the other "
                    + "party is " + kind(other) + " of the vendor's, not a customer)");
        }
        if (!PhoneNumbers.isPhoneNumber(other, region)) {
            return Verdict.skip("participant-not-a-number", "call " + c.externalId() + ": the other party ("
                    + kind(other) + ") is not a phone number, and ECI takes phone numbers only");
        }
        String e164 = PhoneNumbers.e164(other, region);
        for (UserMatcher.User u : users.directory()) {
            if (e164.equals(u.e164())) { // the directory's numbers are read once, not for each call
                return Verdict.skip("internal-call", "call " + c.externalId() + ": every participant is internal (the "
                        + "other party's number " + PhoneNumbers.mask(e164) + " is the Phone of user " + u.id() + ")");
            }
        }
        return null;
    }

    /** The call with the rep's participant as a phone number: the rep's own Phone when the vendor gave an identity. */
    Rep repSide(CanonicalCall c, String userId) throws IOException, InterruptedException {
        String rep = c.internalNumber();
        if (PhoneNumbers.isPhoneNumber(rep, region)) {
            return new Rep(c, null);
        }
        Optional<String> phone = users.directory().stream()
                .filter(u -> u.id() != null && SalesforceIds.to15(u.id()).equals(SalesforceIds.to15(userId)))
                .filter(UserMatcher.User::phoneIsNumber).map(UserMatcher.User::e164).findFirst();
        if (phone.isEmpty()) {
            return new Rep(null, Verdict.skip("participant-not-a-number", "call " + c.externalId() + ": the rep's "
                    + "participant is " + kind(rep) + ", not a phone number, and user " + userId
                    + " has no Phone in Salesforce to send instead"));
        }
        return new Rep(c.direction() == Direction.OUTBOUND ? c.withNumbers(phone.get(), c.toNumber())
                : c.withNumbers(c.fromNumber(), phone.get()), null);
    }

    /** What a participant is, without its value (numbers are masked, identities not repeated). */
    static String kind(String participant) {
        if (participant == null) {
            return "missing";
        }
        if (participant.startsWith(PhoneNumbers.CLIENT)) {
            return "a Twilio Client identity";
        }
        if (participant.startsWith(PhoneNumbers.EXTENSION)) {
            return "an internal extension";
        }
        if (participant.startsWith("sip:")) {
            return "a SIP address";
        }
        return "'" + PhoneNumbers.mask(participant) + "'";
    }
}
