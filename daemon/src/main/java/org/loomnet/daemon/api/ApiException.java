package org.loomnet.daemon.api;

/**
 * A request the API refuses: its HTTP status, a stable machine-readable code and a sentence for
 * people. {@link ApiServer} turns it into {@code {"error": {"status": 404, "code": "unknown_peer",
 * "message": "..."}}}; no stack trace ever leaves the node.
 */
public final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    /**
     * @param status  the HTTP status, 4xx for the client's mistakes
     * @param code    a stable snake_case code, for scripts
     * @param message one readable sentence
     */
    public ApiException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, "bad_request", message);
    }

    static ApiException notFound(String code, String message) {
        return new ApiException(404, code, message);
    }

    /** @return the HTTP status */
    public int status() {
        return status;
    }

    /** @return the stable error code */
    public String code() {
        return code;
    }
}
