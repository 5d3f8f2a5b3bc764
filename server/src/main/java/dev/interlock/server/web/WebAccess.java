package dev.interlock.server.web;

import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.CredentialsAuthFilter;
import dev.interlock.server.auth.LoginTokens;
import dev.interlock.server.auth.Workspaces;
import dev.interlock.server.errors.Unauthorized;
import dev.interlock.server.auth.ReviewLinks;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * Who is looking at a page, and whether a form post really comes from one of our pages.
 *
 * <p>The session is the {@code loopat_session} cookie that {@code POST /api/auth/login}
 * sets (HttpOnly, SameSite=Lax). State-changing posts from pages need two things besides
 * it: a CSRF token that only a page we rendered for that session (or review link) carries,
 * and, when the browser says where the request comes from ({@code Origin},
 * {@code Sec-Fetch-Site}), that it comes from this site.
 */
public final class WebAccess {

  private final LoginTokens tokens;
  private final ReviewLinks links;
  private final String publicOrigin;
  private final Workspaces workspaces;

  public WebAccess(LoginTokens tokens, ReviewLinks links, Workspaces workspaces) {
    this.tokens = tokens;
    this.workspaces = workspaces;
    this.links = links;
    this.publicOrigin = origin(URI.create(links.baseUrl()));
  }

  /**
   * The logged-in user, if the request carries a valid session cookie, in the workspace it
   * works in with its role there.
   */
  public Optional<Caller> session(HttpHeaders headers) {
    return verifiedUser(headers).flatMap(user -> {
      try {
        return Optional.of(workspaces.resolve(user));
      } catch (Unauthorized e) {
        return Optional.empty(); // a member of no workspace any more
      }
    });
  }

  /**
   * The logged-in user of a valid session cookie that belongs to no workspace any more
   * (where {@link #session} is empty): someone an invitation lets back in. Empty for a user
   * that {@link #session} places, and without a valid session. Only for accepting an
   * invitation: the caller is not placed in any workspace, so nothing else may use it.
   */
  public Optional<Caller> userWithoutWorkspace(HttpHeaders headers) {
    return verifiedUser(headers).filter(user -> {
      try {
        workspaces.resolve(user);
        return false;
      } catch (Unauthorized e) {
        return true;
      }
    });
  }

  /** The user a valid session cookie names, not yet placed in a workspace. */
  private Optional<Caller> verifiedUser(HttpHeaders headers) {
    String value = sessionToken(headers);
    return value == null ? Optional.empty()
        : tokens.authenticate(value).map(Caller::viaSession);
  }

  static String sessionToken(HttpHeaders headers) {
    Cookie cookie = headers.getCookies().get(CredentialsAuthFilter.SESSION_COOKIE);
    if (cookie == null || cookie.getValue() == null || cookie.getValue().isBlank()) {
      return null;
    }
    return cookie.getValue().trim();
  }

  /** The CSRF token of a form acting on {@code scope} for this session. */
  public String csrfForSession(String scope, HttpHeaders headers) {
    return links.csrf(scope, "session\n" + sessionToken(headers));
  }

  /** The CSRF token of a review page opened with a link (no session). */
  public String csrfForLink(String scope, String reviewToken) {
    return links.csrf(scope, "link\n" + reviewToken);
  }

  public boolean sessionCsrfMatches(String scope, HttpHeaders headers, String presented) {
    String session = sessionToken(headers);
    return session != null && links.csrfMatches(scope, "session\n" + session, presented);
  }

  public boolean linkCsrfMatches(String scope, String reviewToken, String presented) {
    return reviewToken != null && links.csrfMatches(scope, "link\n" + reviewToken, presented);
  }

  /**
   * False when the browser tells us the request was made by another site. Browsers send
   * {@code Origin} on every POST and {@code Sec-Fetch-Site} on every request; clients that
   * send neither (curl, tests) are judged by the CSRF token alone.
   */
  public boolean sameSite(HttpHeaders headers, URI requestBase) {
    return sameSite(headers.getHeaderString("Origin"), headers.getHeaderString("Sec-Fetch-Site"),
        requestBase);
  }

  public boolean sameSite(String origin, String fetchSite, URI requestBase) {
    if (fetchSite != null && fetchSite.toLowerCase(Locale.ROOT).equals("cross-site")) {
      return false;
    }
    if (origin == null || origin.isBlank()) {
      return true;
    }
    if (origin.equals("null")) {
      // Browsers send "Origin: null" with a form post from a page whose referrer policy is
      // no-referrer, as every page of ours is; Sec-Fetch-Site, which no page can set, then
      // tells whether the form was ours. An opaque origin from anywhere else is refused.
      return fetchSite != null && fetchSite.toLowerCase(Locale.ROOT).equals("same-origin");
    }
    String o = origin.trim().toLowerCase(Locale.ROOT);
    return o.equals(publicOrigin) || o.equals(origin(requestBase));
  }

  static String origin(URI uri) {
    String scheme = uri.getScheme() == null ? "http" : uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    int port = uri.getPort();
    boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80)
        || (scheme.equals("https") && port == 443);
    return scheme + "://" + host + (defaultPort ? "" : ":" + port);
  }
}
