package dev.tocsin.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs Tocsin on Payara Micro as a child process through {@code bash deploy/micro.sh}, for tests that
 * need a real server they control: several nodes, a restart, a {@code kill -9}, another database.
 * JUnit-independent; starting a database (e.g. embedded PostgreSQL) is the test's business.
 *
 * <pre>{@code
 * try (PayaraProcess node = PayaraProcess.builder()
 *         .httpPort(38080).clusterPort(38900).clusterName("tocsin-it-pg")
 *         .rootDir(Path.of("target/it-root"))
 *         .demoProperties()
 *         .env("TOCSIN_DB_PASSWORD", "secret")
 *         .args("--addlibs", "target/postgresql.jar", "--prebootcommandfile", "deploy/postgres/pre-boot-commands.txt")
 *         .start()) {
 *     URI base = node.baseUrl();   // http://127.0.0.1:38080/
 *     node.kill();                 // SIGKILL, waits for the exit
 * }
 * }</pre>
 *
 * <p>micro.sh ends in {@code exec java}, so the process started here <em>is</em> the JVM of Payara Micro:
 * {@link #kill()} sends SIGKILL to the server itself and {@link #close()} SIGTERM, then SIGKILL after a grace
 * period. A JVM shutdown hook kills a server still running when the test JVM exits, so no run leaves one behind.
 *
 * <p>The server is "started" when its log says {@code Payara Micro ... ready in}; by default the log must
 * also say {@code ... was successfully deployed} (Payara Micro reports ready even when the WAR failed to
 * deploy). If the process dies first, or the timeout passes, the server is stopped and an
 * {@link IllegalStateException} carries the log's tail.
 */
public final class PayaraProcess implements AutoCloseable {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final String READY = " ready in ";
    private static final String DEPLOYED = " was successfully deployed";
    private static final String DEPLOY_FAILED = "Exception during lifecycle processing";

    private final Process process;
    private final Path logFile;
    private final URI baseUrl;
    private final Duration stopTimeout;
    private final Thread reaper;

    private PayaraProcess(Process process, Path logFile, URI baseUrl, Duration stopTimeout) {
        this.process = process;
        this.logFile = logFile;
        this.baseUrl = baseUrl;
        this.stopTimeout = stopTimeout;
        this.reaper = new Thread(() -> killTree(process), "payara-process-reaper-" + process.pid());
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code http://127.0.0.1:PORT/}: Tocsin is deployed at the context root. */
    public URI baseUrl() {
        return baseUrl;
    }

    /** An HTTP client of the Tocsin this process runs. */
    Tocsin tocsin() {
        try {
            return new Tocsin(baseUrl.toURL());
        } catch (java.net.MalformedURLException e) {
            throw new IllegalStateException(baseUrl.toString(), e);
        }
    }

    /** The same as the Payara Micro JVM's PID (micro.sh execs java). */
    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return logFile;
    }

    /** The whole log so far. */
    public String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, once the process has ended (137 after {@link #kill()}). */
    public Optional<Integer> exitValue() {
        return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
    }

    /** SIGKILL to the server (a crash: no shutdown hooks run), then waits until it has exited. */
    public void kill() {
        killTree(process);
        forgetReaper();
    }

    /** Stops the server: SIGTERM, and SIGKILL if it has not exited within the stop timeout. */
    @Override
    public void close() {
        if (process.isAlive()) {
            List<ProcessHandle> children = process.descendants().toList();
            process.destroy();
            try {
                if (!process.waitFor(stopTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    killTree(process);
                }
            } catch (InterruptedException e) {
                killTree(process);
                Thread.currentThread().interrupt();
            }
            children.forEach(PayaraProcess::killHandle);
        }
        forgetReaper();
    }

    /** The last {@code lines} lines of the log. */
    public String logTail(int lines) {
        List<String> all = Arrays.asList(log().split("\r?\n"));
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private void forgetReaper() {
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: nothing to undo
        }
    }

    private static void killTree(Process process) {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly();
        children.forEach(PayaraProcess::killHandle);
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("Payara Micro (pid " + process.pid() + ") survived SIGKILL for 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void killHandle(ProcessHandle handle) {
        handle.destroyForcibly();
        try {
            handle.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // best effort for children: the server itself is waited for above
        }
    }

    private void awaitReady(Duration timeout, boolean requireDeployment) {
        if (!logSays(READY, timeout)) {
            throw failure(process.isAlive() ? "Payara Micro was not ready within " + timeout.toSeconds() + " s"
                    : "Payara Micro exited with code " + process.exitValue() + " before it was ready");
        }
        String log = log();
        if (requireDeployment && (!log.contains(DEPLOYED) || log.contains(DEPLOY_FAILED))) {
            throw failure("Payara Micro is up but the WAR did not deploy");
        }
    }

    /**
     * Waits until the log contains the text, e.g. {@code "DG Size: 2"} once a second node has joined
     * the cluster. @throws IllegalStateException with the log's tail if it does not in time (the server keeps running)
     */
    public void awaitLog(String text, Duration timeout) {
        if (!logSays(text, timeout)) {
            throw new IllegalStateException("no \"" + text + "\" in " + logFile + " within " + timeout.toSeconds() + " s\n"
                    + "--- last lines ---\n" + logTail(60));
        }
    }

    private boolean logSays(String text, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!log().contains(text)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    return false;
                }
                // Poll the log; returns at once if the process dies meanwhile.
                process.waitFor(250, TimeUnit.MILLISECONDS);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Payara Micro's log", e);
        }
    }

    private IllegalStateException failure(String message) {
        kill();
        return new IllegalStateException(message + " (log: " + logFile + ")\n--- last lines ---\n" + logTail(60));
    }

    /** Options for one server; {@link #start()} runs it. */
    public static final class Builder {
        private Path projectDir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        private int httpPort = 8080;
        private Integer clusterPort;
        private String clusterMembers;
        private String clusterName;
        private Path rootDir;
        private String name;
        private final List<String> javaOptions = new ArrayList<>(List.of("-Xms256m", "-Xmx512m"));
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<String> args = new ArrayList<>();
        private Duration startupTimeout = Duration.ofSeconds(180);
        private Duration stopTimeout = Duration.ofSeconds(30);
        private boolean requireDeployment = true;

        private Builder() {
        }

        /** The repository (where deploy/micro.sh is); default: Maven's {@code basedir}, else the working directory. */
        public Builder projectDir(Path dir) {
            this.projectDir = dir;
            return this;
        }

        /** TOCSIN_PORT. */
        public Builder httpPort(int port) {
            this.httpPort = port;
            return this;
        }

        /** TOCSIN_CLUSTER_PORT: this node's Hazelcast port (and, unless {@link #clusterMembers}, the only member). */
        public Builder clusterPort(int port) {
            this.clusterPort = port;
            return this;
        }

        /** TOCSIN_CLUSTER: all members, e.g. {@code 127.0.0.1:38900,127.0.0.1:38901}. */
        public Builder clusterMembers(String members) {
            this.clusterMembers = members;
            return this;
        }

        /** TOCSIN_CLUSTER_NAME: use a test-only name so a test never joins a developer's server. */
        public Builder clusterName(String clusterName) {
            this.clusterName = clusterName;
            return this;
        }

        /** TOCSIN_ROOT: Payara's runtime directory, where the embedded H2 database lives. Reuse it to restart "the same" server. */
        public Builder rootDir(Path dir) {
            this.rootDir = dir;
            return this;
        }

        /** Names the log file {@code target/NAME.log}; default {@code payara-PORT-N}. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** An environment variable for micro.sh and the server (the test JVM's environment is inherited). */
        public Builder env(String key, String value) {
            env.put(key, value);
            return this;
        }

        /** A JVM option (e.g. {@code -Dtocsin.x=y}), passed through JAVA_OPTS after {@code -Xms256m -Xmx512m}. */
        public Builder javaOption(String option) {
            javaOptions.add(option);
            return this;
        }

        /** Extra Payara Micro arguments, appended after micro.sh's own (a repeated option replaces micro.sh's). */
        public Builder args(String... more) {
            args.addAll(List.of(more));
            return this;
        }

        /** {@code --systemproperties deploy/demo.properties}: the public demo keys. */
        public Builder demoProperties() {
            return args("--systemproperties", projectDir.resolve("deploy/demo.properties").toString());
        }

        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = timeout;
            return this;
        }

        /** How long {@link PayaraProcess#close()} waits after SIGTERM before SIGKILL. */
        public Builder stopTimeout(Duration timeout) {
            this.stopTimeout = timeout;
            return this;
        }

        /** Whether "ready" also needs the log's "was successfully deployed" (default true). */
        public Builder requireDeployment(boolean require) {
            this.requireDeployment = require;
            return this;
        }

        /**
         * Starts the server and waits until it is ready.
         *
         * @throws IllegalStateException if it died, did not deploy, or was not ready in time (it is stopped first)
         */
        public PayaraProcess start() {
            Path script = projectDir.resolve("deploy/micro.sh");
            if (!Files.isRegularFile(script)) {
                throw new IllegalStateException("no " + script + ": set projectDir");
            }
            Path target = projectDir.resolve("target");
            String logName = name != null ? name : "payara-" + httpPort + "-" + SEQUENCE.incrementAndGet();
            Path logFile = target.resolve(logName + ".log");

            List<String> command = new ArrayList<>(List.of("bash", script.toString()));
            command.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(command)
                    .directory(projectDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(nullFile()));
            Map<String, String> e = pb.environment();
            systemProperty("payara.microJar").ifPresent(v -> e.put("PAYARA_MICRO_JAR", v));
            systemProperty("tocsin.war").ifPresent(v -> e.put("TOCSIN_WAR", v));
            e.put("TOCSIN_PORT", Integer.toString(httpPort));
            if (clusterPort != null) {
                e.put("TOCSIN_CLUSTER_PORT", clusterPort.toString());
            }
            if (clusterMembers != null) {
                e.put("TOCSIN_CLUSTER", clusterMembers);
            }
            if (clusterName != null) {
                e.put("TOCSIN_CLUSTER_NAME", clusterName);
            }
            if (rootDir != null) {
                e.put("TOCSIN_ROOT", rootDir.toAbsolutePath().toString());
            }
            e.put("JAVA_OPTS", String.join(" ", javaOptions));
            e.putAll(env);

            Process process;
            try {
                Files.createDirectories(target);
                process = pb.start();
            } catch (IOException ex) {
                throw new UncheckedIOException("could not start " + command, ex);
            }
            PayaraProcess server = new PayaraProcess(process, logFile,
                    URI.create("http://127.0.0.1:" + httpPort + "/"), stopTimeout);
            server.awaitReady(startupTimeout, requireDeployment);
            return server;
        }

        private static Optional<String> systemProperty(String key) {
            return Optional.ofNullable(System.getProperty(key)).filter(v -> !v.isBlank());
        }

        private static java.io.File nullFile() {
            return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
        }
    }
}
