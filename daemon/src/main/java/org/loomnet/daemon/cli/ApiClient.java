package org.loomnet.daemon.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import org.loomnet.daemon.api.ApiToken;

/**
 * Talks to a running node's HTTP API for the client subcommands ({@code node status},
 * {@code node dial}, ...). Reads need no token on loopback; a request that changes the node
 * sends the token from the node's {@code api.token} file, which {@code GET /api/node} names.
 */
final class ApiClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final String base;
    private final Path tokenFile;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String token;

    /**
     * @param base      for example {@code http://127.0.0.1:6420}
     * @param tokenFile the token file, or null to ask the node where it is
     */
    ApiClient(String base, Path tokenFile) {
        this.base = base;
        this.tokenFile = tokenFile;
    }

    /** A request the node refused, or no node answering; the message is one line for the user. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message, null, false, false);
        }
    }

    JsonObject get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), false);
    }

    JsonObject post(String path, JsonObject body) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())), true);
    }

    private JsonObject send(HttpRequest.Builder request, boolean withToken) {
        request.timeout(TIMEOUT);
        if (withToken) {
            request.header("Authorization", "Bearer " + token());
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new Failure("no node answers at " + base + " (is it running? is its API on another address? "
                    + "give --api HOST:PORT)");
        } catch (HttpTimeoutException e) {
            throw new Failure("the node at " + base + " did not answer within " + TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            throw new Failure("cannot talk to " + base + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        }
        JsonElement json;
        try {
            json = JsonParser.parseString(response.body());
        } catch (JsonParseException e) {
            json = null;
        }
        if (json == null || !json.isJsonObject()) {
            throw new Failure(base + " answered " + response.statusCode() + " without JSON: is it a LoomNet node?");
        }
        JsonObject o = json.getAsJsonObject();
        if (response.statusCode() >= 400) {
            JsonObject error = o.has("error") && o.get("error").isJsonObject() ? o.getAsJsonObject("error") : null;
            String message = error != null && error.has("message") ? error.get("message").getAsString()
                    : "HTTP " + response.statusCode();
            throw new Failure(message);
        }
        return o;
    }

    /** The token: from --token-file, else from the file the node names in {@code GET /api/node}. */
    private String token() {
        if (token != null) {
            return token;
        }
        Path file = tokenFile;
        if (file == null) {
            JsonElement named = get("/api/node").get("api_token_file");
            if (named == null || named.isJsonNull()) {
                throw new Failure("the node does not say where its token is; give --token-file");
            }
            file = Path.of(named.getAsString());
        }
        try {
            token = ApiToken.read(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new Failure("cannot read the API token " + file + ": no such file (is the node running, with its API?)");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new Failure("cannot read the API token " + file + ": permission denied (run as the node's user)");
        } catch (IOException e) {
            throw new Failure("cannot read the API token " + file + ": " + e.getMessage());
        }
        return token;
    }
}
