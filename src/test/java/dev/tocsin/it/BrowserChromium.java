package dev.tocsin.it;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Chromium driven by Playwright, as these machines run it: the distribution's {@code /usr/bin/chromium}
 * (override with {@code -Dtocsin.chromium=...}), nothing downloaded, headless, and no traffic to
 * anything but loopback. Each {@link #newContext()} is a fresh profile (cookies, storage).
 */
final class BrowserChromium implements AutoCloseable {

    static final Path EXECUTABLE = Path.of(System.getProperty("tocsin.chromium", "/usr/bin/chromium"));
    private static final List<String> ARGS = List.of(
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost");

    private final Playwright playwright;
    private final Browser browser;

    private BrowserChromium(Playwright playwright, Browser browser) {
        this.playwright = playwright;
        this.browser = browser;
    }

    static BrowserChromium launch() {
        if (!Files.isExecutable(EXECUTABLE)) {
            throw new IllegalStateException("no Chromium at " + EXECUTABLE + ": apt-get install -y chromium (or -Dtocsin.chromium=PATH)");
        }
        PlaywrightAssertions.setDefaultAssertionTimeout(20_000);
        Playwright playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        try {
            // Playwright passes --headless and a fresh --user-data-dir itself.
            Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                    .setExecutablePath(EXECUTABLE).setHeadless(true).setArgs(ARGS));
            return new BrowserChromium(playwright, browser);
        } catch (RuntimeException e) {
            playwright.close();
            throw e;
        }
    }

    BrowserContext newContext() {
        BrowserContext context = browser.newContext(new Browser.NewContextOptions()
                .setViewportSize(1100, 900).setLocale("en-GB").setTimezoneId("UTC"));
        context.setDefaultTimeout(20_000);
        return context;
    }

    @Override
    public void close() {
        try {
            browser.close();
        } finally {
            playwright.close();
        }
    }
}
