package org.loomnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.loomnet.node.Message;
import org.loomnet.node.Node;

class TwoNodesIT {

    @Test
    void messagesFlowBothWays() throws Exception {
        try (TestNodes net = new TestNodes()) {
            Node a = net.start("127.0.0.2");
            Node b = net.start(TestNodes.builder("127.0.0.3").specialPeer(a.listenAddress()));
            List<Message> atA = new CopyOnWriteArrayList<>();
            List<Message> atB = new CopyOnWriteArrayList<>();
            a.subscribe("chat", atA::add);
            b.subscribe("chat", atB::add);
            Await.until("a and b connected", () -> TestNodes.connected(a, b.id()) && TestNodes.connected(b, a.id()));

            assertThat(a.send(b.id(), "chat", "hello b".getBytes(StandardCharsets.UTF_8)).get()).isEqualTo(1);
            assertThat(b.send(a.id(), "chat", "hello a".getBytes(StandardCharsets.UTF_8)).get()).isEqualTo(1);

            Await.until("both messages delivered", () -> atA.size() == 1 && atB.size() == 1);
            assertThat(atB.get(0).from()).isEqualTo(a.id());
            assertThat(new String(atB.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("hello b");
            assertThat(atA.get(0).from()).isEqualTo(b.id());
            assertThat(new String(atA.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("hello a");
        }
    }
}
