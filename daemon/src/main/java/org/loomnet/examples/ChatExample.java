package org.loomnet.examples;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.loomnet.node.Node;
import org.loomnet.node.NodeEvent;

/**
 * A terminal chat on LoomNet in one page: every line you type goes to the peers you are
 * connected to, and every line they type is printed here.
 *
 * <pre>
 * java -cp daemon/target/node.jar org.loomnet.examples.ChatExample 7700
 * java -cp daemon/target/node.jar org.loomnet.examples.ChatExample 7701 127.0.0.1:7700
 * </pre>
 *
 * Type a line and press Enter to send it; Ctrl-D (end of input) or Ctrl-C quits.
 */
public final class ChatExample {

    /** The message type our chat lines travel under; peers subscribe to the same name. */
    private static final String CHAT = "chat";

    private ChatExample() {
    }

    /**
     * @param args the port to listen on, then the peers to connect to as host:port
     * @throws Exception if the node cannot start
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: ChatExample PORT [HOST:PORT ...]");
            System.exit(2);
        }
        // The library logs connections at INFO; this example prints its own lines instead.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");

        // 1. Describe the node: where it listens and whom it keeps connected to. Peers given as
        //    "special" are redialed until they answer, so it does not matter who starts first.
        Node.Builder builder = Node.builder().listen("0.0.0.0", Integer.parseInt(args[0]));
        for (int i = 1; i < args.length; i++) {
            builder.specialPeer(parsePeer(args[i]));
        }
        Node node = builder.build();

        // 2. Say what to do with incoming traffic, before starting, so nothing is missed.
        //    Handlers run on their own threads; a slow one never delays the network.
        node.subscribe(CHAT, message -> System.out.println(
                message.from() + ": " + new String(message.payload(), StandardCharsets.UTF_8)));
        node.onEvent(event -> {
            switch (event) {
                case NodeEvent.Connected c ->
                        System.out.println("* connected to " + c.connection().nodeId()
                                + " at " + c.connection().remoteAddress());
                case NodeEvent.Disconnected d ->
                        System.out.println("* disconnected from " + d.connection().nodeId() + ": " + d.why());
            }
        });

        // 3. Start: the node listens, dials its peers, and runs on virtual threads from now on.
        node.start();
        // Ctrl-C: say goodbye to the peers (they see "node shutting down") before the JVM exits.
        Runtime.getRuntime().addShutdownHook(new Thread(node::close));
        System.out.println("* I am " + node.id() + ", listening on port " + node.listenAddress().getPort()
                + "; type a line to send it");

        // 4. Every line typed goes to our connected peers. broadcast() returns at once; the
        //    future tells how many peers the message was queued for. (Peers do not forward it:
        //    only nodes connected to us see our lines.)
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = stdin.readLine()) != null) {
            int peers = node.broadcast(CHAT, line.getBytes(StandardCharsets.UTF_8)).join();
            if (peers == 0) {
                System.out.println("* nobody is connected yet; not sent");
            }
        }
        node.close();
    }

    /** Reads "host:port"; the last colon starts the port, so "[::1]:7700" works too. */
    private static InetSocketAddress parsePeer(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected HOST:PORT, got '" + text + "'");
        }
        String host = text.substring(0, colon).replace("[", "").replace("]", "");
        return new InetSocketAddress(host, Integer.parseInt(text.substring(colon + 1)));
    }
}
