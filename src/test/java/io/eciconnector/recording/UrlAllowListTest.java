package io.eciconnector.recording;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;

/** eci.recordings.url-allow: which URLs named in records may be fetched (issue 12 item 3). */
class UrlAllowListTest {

    final UrlAllowList allow = new UrlAllowList(List.of("api.twilio.com", ".ringcentral.com",
            "https://media.example.com/recordings/", "http://10.1.2.3:8080/rec/"), false);

    RecordingRefused refused(String url) {
        return assertThrows(RecordingRefused.class, () -> allow.allowed(URI.create(url)), url);
    }

    @Test
    void hostEntriesAllowHttpsOnlyAndPrefixesTheirOwnSchemeHostPortAndPath() {
        assertDoesNotThrow(() -> allow.allowed(URI.create("https://api.twilio.com/2010-04-01/Recordings/RE1.wav")));
        assertDoesNotThrow(() -> allow.allowed(URI.create("https://platform.ringcentral.com/restapi/x")));
        assertDoesNotThrow(() -> allow.allowed(URI.create("https://media.example.com/recordings/a.wav?sig=1")));
        assertDoesNotThrow(() -> allow.allowed(URI.create("http://10.1.2.3:8080/rec/a.wav")));
        assertEquals("url-not-allowed", refused("http://api.twilio.com/RE1.wav").rule(), "host entries: https only");
        refused("https://api.twilio.com.evil.example/RE1.wav");
        refused("https://evilapi.twilio.com/RE1.wav");
        refused("https://ringcentral.com.evil.example/x");
        refused("https://media.example.com/other/a.wav");
        refused("https://media.example.com:8443/recordings/a.wav");
        refused("http://10.1.2.3:8081/rec/a.wav");
        refused("https://media.example.com/recordings/../admin");
        refused("https://media.example.com/recordings/%2e%2e/admin");
        refused("https://api.twilio.com@169.254.169.254/latest/meta-data/");
        refused("http://169.254.169.254/latest/meta-data/");
        assertEquals("url-scheme", refused("file:///etc/passwd").rule());
        assertEquals("url-scheme", refused("ftp://api.twilio.com/x.wav").rule());
        assertThrows(RecordingRefused.class,
                () -> new UrlAllowList(List.of(), false).allowed(URI.create("https://api.twilio.com/x.wav")),
                "an empty list allows nothing");
    }

    @Test
    void addressesThatAreNotPublicAreNamed() throws Exception {
        assertTrue(UrlAllowList.blocked(InetAddress.getByName("127.0.0.1")).startsWith("loopback"));
        assertTrue(UrlAllowList.blocked(InetAddress.getByName("169.254.169.254")).startsWith("link-local"));
        assertTrue(UrlAllowList.blocked(InetAddress.getByName("10.0.0.1")).startsWith("private"));
        assertTrue(UrlAllowList.blocked(InetAddress.getByName("172.16.5.4")).startsWith("private"));
        assertTrue(UrlAllowList.blocked(InetAddress.getByName("192.168.1.1")).startsWith("private"));
        assertTrue(UrlAllowList.blocked(InetAddress.getByName("100.64.0.1")).startsWith("private"));
        assertTrue(UrlAllowList.blocked(InetAddress.getByName("0.0.0.0")) != null);
        assertTrue(UrlAllowList.blocked(InetAddress.getByName("::1")).startsWith("loopback"));
        assertTrue(UrlAllowList.blocked(InetAddress.getByName("fd00:ec2::254")).startsWith("private"));
        assertTrue(UrlAllowList.blocked(InetAddress.getByName("fe80::1")).startsWith("link-local"));
        assertTrue(UrlAllowList.blocked(InetAddress.getByName("::ffff:127.0.0.1")).startsWith("loopback"));
        assertNull(UrlAllowList.blocked(InetAddress.getByName("8.8.8.8")));
    }

    @Test
    void aListedNameThatResolvesToLoopbackIsRefusedUnlessPrivateAddressesAreAllowed() {
        RecordingRefused e = assertThrows(RecordingRefused.class,
                () -> new UrlAllowList(List.of("localhost"), false).check(URI.create("https://localhost/x.wav")));
        assertEquals("url-address", e.rule());
        assertDoesNotThrow(() -> new UrlAllowList(List.of("localhost"), true).check(URI.create("https://localhost/x.wav")));
        assertDoesNotThrow(() -> new UrlAllowList(List.of("http://127.0.0.1:9000/"), false)
                .check(URI.create("http://127.0.0.1:9000/x.wav")), "the address itself listed");
    }
}
