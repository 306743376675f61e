-- Exactly once (issue 10.1): a create or upload whose outcome is unknown (timeout, reset, a replica killed
-- mid-request) is settled before anything is sent again. settle_until: until when the org may still apply that
-- request (the request's start + eci.create.settle-time); NULL when nothing is unsettled. It stays set (in the past)
-- on a call sent again after such a request, so the answer is looked at again for a second VoiceCall.
-- duplicates: VoiceCall ids the org holds for this call's VendorCallKey beyond the one the ledger keeps (reported
-- on the eci console, in eci_duplicates_total and in the call's history).
-- (Versioned 7.4: helper D's number, so it orders beside other changes' V7_x; valid on H2 2.x and PostgreSQL 12+.)
ALTER TABLE call_ledger ADD COLUMN settle_until TIMESTAMP WITH TIME ZONE;
ALTER TABLE call_ledger ADD COLUMN duplicates VARCHAR(2000);
