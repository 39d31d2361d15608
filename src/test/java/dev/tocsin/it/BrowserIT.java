package dev.tocsin.it;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Route;
import com.microsoft.playwright.WebSocketRoute;
import com.microsoft.playwright.options.AriaRole;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The live-alerts page (src/main/webapp) in a real Chromium, against a real server: alerts arrive,
 * survive a server restart and cut connections exactly once, acknowledgements reach other tabs,
 * and forged frames are reported instead of shown.
 *
 * <p>The server runs on a fixed port so that the page's origin, {@code http://127.0.0.1:28380}, can be
 * put on the allow list exactly ({@code TOCSIN_ORIGINS_ALLOWED}); it serves the WAR under
 * {@code /tocsin/}, so every URL the page and client use must be relative. One test restarts it.
 * Screenshots are kept in {@code target/screenshots/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrowserIT {

    private static final int HTTP_PORT = 28380;
    private static final String ORIGIN = "http://127.0.0.1:" + HTTP_PORT;
    private static final Path ROOT = Path.of("target/it-browser-root");
    private static final Path SCREENSHOTS = Path.of("target/screenshots");

    private static PayaraProcess server;
    private static URI app;
    private static Tocsin tocsin;
    private static String producer;
    private static BrowserChromium chromium;

    private BrowserContext context;
    private final List<String> pageErrors = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        RestartIT.deleteRecursively(ROOT);
        chromium = BrowserChromium.launch();
        server = node("browser-before").start();
        connect();
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            chromium.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static PayaraProcess.Builder node(String name) {
        return PayaraProcess.builder().name(name).httpPort(HTTP_PORT).clusterPort(28995).clusterName("tocsin-it-browser")
                .rootDir(ROOT).demoProperties()
                .env("TOCSIN_ORIGINS_ALLOWED", ORIGIN)
                .args("--contextroot", "tocsin");
    }

    private static void connect() throws Exception {
        app = server.baseUrl().resolve("tocsin/");
        tocsin = new Tocsin(app.toURL());
        producer = tocsin.token("pat", "producers");
    }

    @BeforeEach
    void newContext() {
        context = chromium.newContext();
    }

    @AfterEach
    void closeContext() {
        context.close();
        assertEquals(List.of(), pageErrors, "uncaught errors in the page");
    }

    @Test
    @Order(1)
    void alertsPublishedOverRestAppearWithHistoryAndTheKeyboardAloneCanSignInAndAcknowledge() {
        String topic = topic();
        String old = publish(topic, "warning", "Disk 80% on db-2", "published before sign-in");
        Page page = open("");
        page.keyboard().press("Tab"); // the skip link
        page.keyboard().press("Tab");
        assertEquals("user", page.evaluate("document.activeElement.id"));
        page.keyboard().type("kay");
        page.keyboard().press("Tab");
        page.keyboard().press("ControlOrMeta+A");
        page.keyboard().type("ops");
        page.keyboard().press("Tab");
        page.keyboard().press("ControlOrMeta+A");
        page.keyboard().type(topic);
        page.keyboard().press("Enter");
        assertThat(banner(page)).hasAttribute("data-state", "open");
        assertThat(banner(page)).containsText("connected as kay");
        assertThat(alert(page, old)).containsText("Disk 80% on db-2");

        List<String> live = new ArrayList<>();
        live.add(publish(topic, "critical", "Primary database down", "db-1 unreachable from eu-west"));
        live.add(publish(topic, "error", "Replication lag 45 s", null));
        live.add(publish(topic, "info", "Failover drill at 14:00", "No action needed."));
        live.add(publish(topic, "warning", "Certificate expires in 9 days", "api.example.test"));
        for (String id : live) {
            assertThat(alert(page, id)).hasCount(1);
        }
        assertThat(page.locator("#alerts > li")).hasCount(5);
        assertThat(alert(page, live.get(0))).hasAttribute("data-severity", "critical");
        assertThat(alert(page, live.get(0)).locator(".badge")).hasText("Critical");
        assertThat(page.locator("#announcer-urgent")).containsText("Primary database down");
        assertThat(page.locator("#alerts > li").first()).hasAttribute("data-alert-id", live.get(3));

        Locator acknowledge = alert(page, live.get(1)).getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Acknowledge"));
        acknowledge.focus();
        page.keyboard().press("Enter");
        assertThat(alert(page, live.get(1)).locator(".acked")).containsText("Acknowledged by kay");
        assertThat(alert(page, live.get(1))).isFocused();
        assertThat(page.locator("#count")).hasText("(5, 4 open)");

        screenshot(page, "live-alerts.png");
        page.setViewportSize(375, 800);
        assertTrue((Boolean) page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"),
                "no horizontal scrolling on a narrow screen");
        screenshot(page, "live-alerts-narrow.png");
    }

    @Test
    @Order(2)
    void acknowledgingInOneTabClearsTheAlertInAnotherAndInTheRestState() {
        String topic = topic();
        Page laptop = signIn(open(""), "olga", topic);
        Page phone = signIn(open(""), "olga", topic);
        String id = publish(topic, "critical", "Payments failing", "5xx on checkout");
        assertThat(alert(phone, id).getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Acknowledge"))).isVisible();

        alert(laptop, id).getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Acknowledge")).click();

        assertThat(alert(phone, id)).hasAttribute("data-acknowledged", "true");
        assertThat(alert(phone, id).locator(".acked")).containsText("Acknowledged by olga");
        assertThat(alert(phone, id).locator("button.ack")).isHidden();
        assertEquals("olga", Wire.parse(tocsin.get("api/alerts/" + id, producer).body()).getString("acknowledgedBy"));

        Page colleague = signIn(open(""), "sam", topic); // history over REST carries the acknowledgement
        assertThat(alert(colleague, id).locator(".acked")).containsText("Acknowledged by olga");
    }

    @Test
    @Order(3)
    void aFrameAlteredInTransitIsReportedNeverShownAndTheGenuineAlertArrivesOnce() {
        String topic = topic();
        AtomicInteger relayed = new AtomicInteger();
        // A man in the middle: relays every frame, but rewrites the title of one alert once.
        context.routeWebSocket(Pattern.compile(".*/ws$"), ws -> {
            WebSocketRoute toServer = ws.connectToServer();
            toServer.onMessage(frame -> {
                String text = frame.text();
                if (text != null && text.contains("\"Wire transfer approved\"") && relayed.getAndIncrement() == 0) {
                    text = text.replace("\"Wire transfer approved\"", "\"Wire transfer REJECTED\"");
                }
                ws.send(text);
            });
        });
        Page page = signIn(open("?backoffCap=1000"), "vic", topic);
        String before = publish(topic, "info", "Before the attack", null);
        String target = publish(topic, "warning", "Wire transfer approved", null);
        String after = publish(topic, "info", "After the attack", null);

        assertThat(page.locator("#problem-list li[data-kind=tampered]")).containsText("failed its signature check");
        for (String id : List.of(before, target, after)) {
            assertThat(alert(page, id)).hasCount(1);
        }
        assertThat(alert(page, target).locator(".title")).hasText("Wire transfer approved");
        assertThat(page.getByText("Wire transfer REJECTED")).hasCount(0);
        assertEquals(2, relayed.get(), "the altered frame, then the genuine one replayed on the new connection");
        assertThat(banner(page)).hasAttribute("data-state", "open");
        screenshot(page, "tampered-frame.png");
    }

    @Test
    @Order(4)
    void aServerKeyThatDoesNotMatchTheSignaturesIsReportedAndNothingIsShown() throws Exception {
        String topic = topic();
        String id = publish(topic, "critical", "Should never be shown", null);
        String impostorKey = freshEd25519PublicKey();
        context.route("**/api/keys", route -> {
            JsonObject genuine = Wire.parse(route.fetch().text());
            String swapped = genuine.toString().replace("\"oL0ibp5RO3Sc_Jvk8aSC4ZkjkIJl7i7tcQTP98MbBuY\"", "\"" + impostorKey + "\"");
            route.fulfill(new Route.FulfillOptions().setStatus(200).setContentType("application/json").setBody(swapped));
        });
        Page page = open("?backoffCap=1000");
        fillSignIn(page, "ivy", topic);
        // Every attempt fails at the welcome frame, is reported, and is retried with backoff.
        assertThat(page.locator("#problem-list li[data-kind=tampered]").nth(1)).isVisible();
        assertThat(page.locator("#problem-list li[data-kind=tampered]").first()).containsText("signature does not match");
        assertThat(banner(page)).hasAttribute("data-state", Pattern.compile("reconnecting|connecting"));
        assertThat(alert(page, id).locator(".title")).hasText("Should never be shown"); // the REST history is not signed
        String live = publish(topic, "critical", "Nor this one", null);
        page.waitForTimeout(1500);
        assertThat(alert(page, live)).hasCount(0);
    }

    @Test
    @Order(5)
    void aConnectionCutSilentlyIsDetectedByTheHeartbeatAndResumesWithEveryAlertOnce() {
        String topic = topic();
        AtomicBoolean cut = new AtomicBoolean();
        List<WebSocketRoute[]> links = new ArrayList<>();
        // A network path that can go dead without a close: frames are then silently lost both ways,
        // and new connections are refused.
        context.routeWebSocket(Pattern.compile(".*/ws$"), ws -> {
            if (cut.get()) {
                ws.close(new WebSocketRoute.CloseOptions().setCode(4004).setReason("unreachable (test)"));
                return;
            }
            WebSocketRoute toServer = ws.connectToServer();
            links.add(new WebSocketRoute[] {ws, toServer});
            ws.onMessage(frame -> forward(cut, frame.text(), toServer));
            toServer.onMessage(frame -> forward(cut, frame.text(), ws));
        });
        Page page = signIn(open("?heartbeat=1500&pongTimeout=2500&backoffCap=2000"), "nat", topic);
        List<String> published = new ArrayList<>();
        published.add(publish(topic, "info", "Seen live 1", null));
        published.add(publish(topic, "info", "Seen live 2", null));
        assertThat(page.locator("#alerts > li")).hasCount(2);

        cut.set(true);
        assertThat(banner(page)).hasAttribute("data-state", "reconnecting");
        assertThat(page.locator("#connection-log li[data-state=reconnecting]").last()).containsText("no pong within 2500 ms");
        assertThat(page.locator("#countdown")).hasText(Pattern.compile("in \\d+ s…|now…"));
        for (int i = 0; i < 5; i++) {
            published.add(publish(topic, i == 2 ? "critical" : "warning", "Published while cut " + i, null));
        }
        screenshot(page, "reconnecting.png");
        cut.set(false);
        links.forEach(link -> link[1].close());

        assertThat(banner(page)).hasAttribute("data-state", "open");
        assertThat(page.locator("#alerts > li")).hasCount(7);
        published.add(publish(topic, "info", "Seen live 3", null));
        assertThat(page.locator("#alerts > li")).hasCount(8);
        assertEquals(published.size(), new HashSet<>(ids(page)).size());
        assertEquals(Set.copyOf(published), Set.copyOf(ids(page)));
    }

    @Test
    @Order(6)
    void afterTheServerIsStoppedAndStartedThePageShowsEveryAlertPublishedMeanwhileExactlyOnce() throws Exception {
        String topic = topic();
        Page page = signIn(open("?backoffCap=2000"), "rita", topic);
        List<String> published = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            published.add(publish(topic, "error", "Before the restart " + i, null));
        }
        assertThat(page.locator("#alerts > li")).hasCount(3);

        server.close();
        assertThat(banner(page)).hasAttribute("data-state", Pattern.compile("reconnecting|connecting"));
        // Offline, the page waits for the network instead of retrying; meanwhile alerts are published.
        context.setOffline(true);
        assertThat(banner(page)).hasAttribute("data-state", "offline");
        server = node("browser-after").start();
        connect();
        for (int i = 0; i < 5; i++) {
            published.add(publish(topic, i % 2 == 0 ? "critical" : "warning", "While the page was away " + i, null));
        }
        page.waitForTimeout(500);
        assertThat(page.locator("#alerts > li")).hasCount(3);

        context.setOffline(false); // "online": reconnects at once, resumes after offset 3
        assertThat(banner(page)).hasAttribute("data-state", "open");
        assertThat(page.locator("#alerts > li")).hasCount(8);
        published.add(publish(topic, "info", "After the restart", null));
        assertThat(page.locator("#alerts > li")).hasCount(9);
        List<String> shown = ids(page);
        assertEquals(shown.size(), new HashSet<>(shown).size(), "every alert once");
        assertEquals(Set.copyOf(published), Set.copyOf(shown));
        for (String id : published) {
            assertThat(alert(page, id)).hasCount(1);
        }
    }

    // --- helpers -----------------------------------------------------------------------------

    private static void forward(AtomicBoolean cut, String text, WebSocketRoute to) {
        if (!cut.get() && text != null) {
            to.send(text);
        }
    }

    private Page open(String query) {
        Page page = context.newPage();
        page.onPageError(pageErrors::add);
        page.navigate(app.resolve(query.isEmpty() ? "" : query).toString());
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Sign in"))).isVisible();
        return page;
    }

    private static void fillSignIn(Page page, String user, String topic) {
        page.getByLabel("User name").fill(user);
        page.getByLabel("Groups").fill("");
        page.getByLabel("Topics to follow").fill(topic);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in and follow")).click();
    }

    private static Page signIn(Page page, String user, String topic) {
        fillSignIn(page, user, topic);
        assertThat(banner(page)).hasAttribute("data-state", "open");
        return page;
    }

    private static Locator banner(Page page) {
        return page.locator("#connection");
    }

    private static Locator alert(Page page, String id) {
        return page.locator("#alerts > li[data-alert-id=\"" + id + "\"]");
    }

    @SuppressWarnings("unchecked")
    private static List<String> ids(Page page) {
        return (List<String>) page.evaluate("() => [...document.querySelectorAll('#alerts > li')].map(li => li.dataset.alertId)");
    }

    private static String topic() {
        return "alerts.browser.t" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String publish(String topic, String severity, String title, String body) {
        var alert = Json.createObjectBuilder(Tocsin.alert(topic, severity, title));
        if (body != null) {
            alert.add("body", body);
        }
        HttpResponse<String> response = tocsin.publish(producer, alert.build());
        assertEquals(201, response.statusCode(), response.body());
        return Wire.parse(response.body()).getString("id");
    }

    private static void screenshot(Page page, String name) {
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name)).setFullPage(true).setAnimations(
                com.microsoft.playwright.options.ScreenshotAnimations.DISABLED));
    }

    /** The raw 32-byte public key (base64url) of a new Ed25519 pair: valid, but not the server's. */
    private static String freshEd25519PublicKey() throws Exception {
        byte[] x509 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOfRange(x509, x509.length - 32, x509.length));
    }
}
