package io.eciconnector.salesforce;

import java.nio.file.Path;

/**
 * The org the connector talks to when none is configured: the embedded sandbox, while it is on. The product reaches
 * the sandbox only through this interface (what it would otherwise read from configuration) and the URLs it answers
 * on; the sandbox implements it, so no product package imports the sandbox.
 */
public interface EmbeddedOrg {

    /** Whether the embedded org is on ({@code eci.sandbox.enabled}). */
    boolean enabled();

    /** This application's own address, where the embedded org answers. */
    String localUrl();

    /** The org id the telephony API's JWTs carry as issuer. */
    String orgId();

    /** The call center's API name the telephony API's JWTs carry as subject. */
    String callCenterApiName();

    /** The private key (PEM) that signs the telephony API's JWTs. */
    Path telephonyPrivateKey();

    /** The PKCS12 keystore of the connected app's JWT bearer flow. */
    Path keystore();

    /** Its password. */
    String keystorePassword();

    /**
     * Makes a call of the sample stream known to the embedded org's telephony API, as the contact center's own
     * integration makes a real org know its calls before their events arrive.
     */
    void registerTelephonyCall(String vendorCallKey);
}
