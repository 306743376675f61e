package io.eciconnector.sandbox;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of the embedded Salesforce sandbox (prefix {@code eci.sandbox}). */
@ConfigMapping(prefix = "eci.sandbox")
public interface SandboxConfig {

    /** Serve the emulated Salesforce APIs from this application. On by default. */
    @WithDefault("true")
    boolean enabled();

    /** 18-character org id (00D...): the {@code id} URL of the token response and the telephony JWT issuer. */
    @WithDefault("00D5e000000Sbx0EAC")
    String orgId();

    /** 18-character id of the integration user the OAuth flows log in as. */
    @WithDefault("0055e000000IntgAAC")
    String integrationUserId();

    /** Username of the integration user (the {@code sub} of the OAuth JWT bearer assertion). */
    @WithDefault("integration@eci-sandbox.example")
    String integrationUsername();

    /** Whether the integration user holds the Conversation Insights Integration User permission set. */
    @WithDefault("true")
    boolean integrationPermissionSet();

    /** Connected app consumer key. */
    @WithDefault("eci-connector-sandbox")
    String clientId();

    /** Connected app consumer secret (client-credentials and username-password flows). */
    @WithDefault("sandbox-client-secret")
    String clientSecret();

    /** Password of the integration user (username-password flow). */
    @WithDefault("sandbox-password")
    String password();

    /** Lifetime of an issued access token. */
    @WithDefault("2H")
    Duration tokenTtl();

    /** Working directory where the sandbox writes the key pairs it makes at start. */
    @WithDefault("data/sandbox")
    String workDir();

    /** New CallCoachingMediaProvider records are activated at once, as an admin would do in ECI setup. */
    @WithDefault("true")
    boolean autoActivateProviders();

    /** The ECI feature switch of the org: when false, every provider reads as disabled. */
    @WithDefault("true")
    boolean callCoachingEnabled();

    /** Daily API request allocation reported in Sforce-Limit-Info. */
    @WithDefault("15000")
    int dailyApiLimit();

    /** The recording cap of the audio upload endpoint, in bytes (64 MB). */
    @WithDefault("67108864")
    long maxRecordingBytes();

    /**
     * Records per page of a SOQL answer (Salesforce: up to 2,000). A longer answer says {@code done: false} and names
     * the next page in {@code nextRecordsUrl}; tests set a small size so that every query has to follow it.
     */
    @WithDefault("2000")
    int queryPageSize();

    /** Users of the org. */
    List<User> users();

    /** Named Credentials of the org: name to base URL (recording URL variant of audio_upload). */
    Map<String, String> namedCredentials();

    Telephony telephony();

    interface User {
        String id();

        String email();

        Optional<String> phone();

        Optional<String> username();

        /** Custom user fields, e.g. Aircall_User_Identifier__c. */
        Map<String, String> fields();

        @WithDefault("true")
        boolean active();

        /** An active call-coaching (ECI) user, listed by GET callcoaching/{id}. */
        @WithDefault("true")
        boolean callCoaching();

        /** Holds the ECI feature permission. */
        @WithDefault("true")
        boolean featurePermission();

        /** LastModifiedDate, ISO-8601 (used by the user-matching tie-break). */
        @WithDefault("2026-01-01T00:00:00.000Z")
        String lastModified();
    }

    interface Telephony {
        /** The CallCenter API name expected as the JWT {@code sub}. */
        @WithDefault("ECI_Sandbox_Call_Center")
        String callCenterApiName();

        /** PEM public key file the JWT signature is verified with; generated at start when absent. */
        Optional<String> publicKeyFile();

        /** Longest accepted JWT lifetime (exp - iat). */
        @WithDefault("24H")
        Duration maxTokenLifetime();

        /** Reject (instead of silently rewriting, as Salesforce does) a wrong participantId for END_USER, SUPERVISOR, VIRTUAL_AGENT. */
        @WithDefault("true")
        boolean strictParticipantIds();

        /** Vendor call keys known to the telephony side at start. */
        Optional<List<String>> knownCalls();

        /** Calls created through the ECI Connect API are known to the telephony side too. */
        @WithDefault("true")
        boolean knowEciCalls();

        /**
         * The longest message {@code content} accepted, in characters. Not documented by Salesforce: the sandbox
         * refuses beyond the connector's own bound (eci.contact-lens.max-content-chars), so an unbounded send shows.
         */
        @WithDefault("10000")
        int maxContentChars();

        /**
         * Post-call events close the conversation ("only after a conversation closes"): realtime events and transcript
         * messages for it after that are refused, so a sender that sends post-call events too early shows.
         */
        @WithDefault("true")
        boolean closeOnPostCall();
    }
}
