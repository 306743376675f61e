package io.eciconnector.recording;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which recording URLs named in records may be fetched ({@code eci.recordings.url-allow}). An entry is a host
 * ({@code api.twilio.com}; {@code .twilio.com} or {@code *.twilio.com} for its subdomains), fetched over https only,
 * or a URL prefix ({@code https://media.example.com/recordings/}, {@code http://10.0.0.5:8080/rec/}) whose scheme,
 * host, port and path prefix must all match. Nothing is allowed when the list is empty.
 * <p>
 * The host's resolved addresses are checked before each request (redirects included): loopback, link-local (cloud
 * metadata 169.254.169.254), private (10/8, 172.16/12, 192.168/16, fc00::/7, 100.64/10), any-local and multicast
 * addresses are refused unless the entry names that address itself (an IP literal), or, for
 * hosts listed by name, {@code eci.recordings.url-allow-private=true} (link-local and metadata stay refused).
 */
public final class UrlAllowList {

    record Entry(String scheme, String host, boolean subdomains, int port, String pathPrefix) {

        /** An IP address rather than a name: the operator named the address itself. */
        boolean literal() {
            return host.matches("[0-9.]+") || host.contains(":");
        }

        boolean matches(URI u) {
            String h = UrlAllowList.host(u);
            boolean hostOk = subdomains ? h.endsWith("." + host) : h.equals(host);
            if (!hostOk || !scheme.equals(u.getScheme().toLowerCase(Locale.ROOT))) {
                return false;
            }
            if (port != -1 && port != UrlAllowList.port(u)) {
                return false;
            }
            String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
            return pathPrefix == null || path.startsWith(pathPrefix);
        }
    }

    /** Resolves a host name (the JVM's resolver; tests give their own). */
    interface Lookup {
        InetAddress[] resolve(String host) throws IOException;
    }

    private final List<Entry> entries = new ArrayList<>();
    private final boolean allowPrivate;
    private final String configured;
    private final Lookup lookup;

    public UrlAllowList(List<String> allow, boolean allowPrivate) {
        this(allow, allowPrivate, InetAddress::getAllByName);
    }

    UrlAllowList(List<String> allow, boolean allowPrivate, Lookup lookup) {
        this.allowPrivate = allowPrivate;
        this.lookup = lookup;
        this.configured = String.join(",", allow);
        for (String raw : allow) {
            String e = raw.trim();
            if (e.isEmpty()) {
                continue;
            }
            if (e.contains("://")) {
                URI u = URI.create(e);
                if (u.getHost() == null || u.getScheme() == null) {
                    throw new IllegalArgumentException("eci.recordings.url-allow: " + e + " is not a URL prefix");
                }
                String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? null : u.getRawPath();
                entries.add(new Entry(u.getScheme().toLowerCase(Locale.ROOT), host(u), false,
                        u.getPort() == -1 ? defaultPort(u.getScheme()) : u.getPort(), path));
            } else {
                String h = e.toLowerCase(Locale.ROOT);
                boolean sub = h.startsWith("*.") || h.startsWith(".");
                entries.add(new Entry("https", h.replaceFirst("^\\*?\\.", ""), sub, -1, null));
            }
        }
    }

    /** The URL as it may be fetched, or refused: the scheme, the allow-list, user info, dot segments. */
    Entry allowed(URI uri) throws RecordingRefused {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new RecordingRefused("url-scheme", "the scheme " + scheme + ": is not fetched (http(s) URLs only)");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null) {
            throw new RecordingRefused("url-not-allowed", "the URL " + safe(uri) + " has no host or carries user info");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (path.matches("(?i).*(^|/)(\\.|%2e){1,2}(/|$).*") || path.toLowerCase(Locale.ROOT).contains("%2f")) {
            throw new RecordingRefused("url-not-allowed", "the URL " + safe(uri) + " has dot segments or encoded slashes");
        }
        for (Entry e : entries) {
            if (e.matches(uri)) {
                return e;
            }
        }
        throw new RecordingRefused("url-not-allowed", "the URL " + safe(uri) + " is not on eci.recordings.url-allow"
                + (configured.isEmpty() ? " (empty: no recording URL is fetched)" : " (" + configured + ")")
                + "; host entries allow https only");
    }

    /** Checks the URL and the addresses its host resolves to, right before a request. */
    public void check(URI uri) throws IOException {
        allowed(uri);
        addresses(uri.getHost());
    }

    /**
     * The addresses a request to this host of an allowed URL connects to: resolved here once and checked, so the
     * connection goes to an address that was checked and to nothing else (a host whose DNS answers change between
     * two lookups, DNS rebinding, gets no second lookup). An IP literal is the address itself: its URL matched only
     * an entry naming that address.
     */
    public List<InetAddress> addresses(String host) throws IOException {
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (new Entry("https", h.toLowerCase(Locale.ROOT), false, -1, null).literal()) {
            return List.of(InetAddress.getByName(h)); // a literal: no lookup
        }
        InetAddress[] all = lookup.resolve(h);
        for (InetAddress a : all) {
            String why = blocked(a);
            if (why != null && !(allowPrivate && !why.startsWith("link-local"))) {
                throw new RecordingRefused("url-address", "the host " + h + " resolves to " + a.getHostAddress()
                        + ", a " + why + " address (listed hosts must resolve to public addresses; list the address "
                        + "itself, or set eci.recordings.url-allow-private=true)");
            }
        }
        return List.of(all);
    }

    /** Why the address may not be reached from a URL in a record; null when it is public. */
    static String blocked(InetAddress a) {
        if (a.isLinkLocalAddress()) {
            return "link-local (cloud metadata)";
        }
        if (a.isLoopbackAddress()) {
            return "loopback";
        }
        if (a.isAnyLocalAddress()) {
            return "any-local";
        }
        if (a.isMulticastAddress()) {
            return "multicast";
        }
        if (a.isSiteLocalAddress()) {
            return "private";
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address && ((b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64 || (b[0] & 0xff) == 0
                || (b[0] & 0xff) == 255)) {
            return "private (shared or reserved)";
        }
        if (a instanceof Inet6Address && (b[0] & 0xfe) == 0xfc) {
            return "private (unique local)";
        }
        return null;
    }

    static String host(URI u) {
        String h = u.getHost().toLowerCase(Locale.ROOT);
        return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
    }

    static int port(URI u) {
        return u.getPort() == -1 ? defaultPort(u.getScheme()) : u.getPort();
    }

    static int defaultPort(String scheme) {
        return "http".equalsIgnoreCase(scheme) ? 80 : 443;
    }

    /** The URL without its query (signed URLs carry credentials there). */
    static String safe(URI u) {
        return u.getScheme() + "://" + u.getRawAuthority() + (u.getRawPath() == null ? "" : u.getRawPath())
                + (u.getRawQuery() == null ? "" : "?...");
    }
}
