package org.loomnet.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Reading jcmd's class histogram, and what two of them say per connection. */
class ClassHistogramTest {

    private static final String NONE = """
            12345:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:         20218        1741520  [B (java.base@25.0.3)
               2:            10           1000  jdk.internal.vm.StackChunk (java.base@25.0.3)
               3:             4            512  [Ljdk.internal.vm.FillerElement; (java.base@25.0.3)
               4:             2             32  org.loomnet.node.Node$$Lambda/0x000000004209fc10
               5:             1             16  org.loomnet.node.Node$$Lambda/0x000000004209fc88
            Total         20235        1743080
            """;

    private static final String HELD = """
            12345:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:         20418        1841520  [B (java.base@25.0.3)
               2:           210         701000  jdk.internal.vm.StackChunk (java.base@25.0.3)
               3:           100          14400  org.loomnet.connection.Connection
               4:            40         900000  [Ljdk.internal.vm.FillerElement; (java.base@25.0.3)
               5:             3             48  org.loomnet.node.Node$$Lambda/0x000000004209fc10
            Total         20771        3456968
            """;

    @Test
    void liveBytesLeaveOutTheGcsFillersAndLambdasAreJoined() {
        ClassHistogram h = ClassHistogram.parse(NONE);

        assertThat(h.bytes()).isEqualTo(1741520 + 1000 + 32 + 16);
        assertThat(h.classes()).doesNotContainKey("[Ljdk.internal.vm.FillerElement;");
        assertThat(h.classes().get("org.loomnet.node.Node$$Lambda")).isEqualTo(new ClassHistogram.Entry(3, 48));
        assertThat(h.classes().get("[B")).isEqualTo(new ClassHistogram.Entry(20218, 1741520));
    }

    @Test
    void theDifferencePerConnectionLargestFirst() {
        ClassHistogram none = ClassHistogram.parse(NONE);
        ClassHistogram held = ClassHistogram.parse(HELD);

        assertThat(held.minus(none)).containsExactly(
                new ClassHistogram.Change("jdk.internal.vm.StackChunk", 200, 700000),
                new ClassHistogram.Change("[B", 200, 100000),
                new ClassHistogram.Change("org.loomnet.connection.Connection", 100, 14400));
        assertThat(held.perConnection(none, 100, 2)).isEqualTo("StackChunk 7,000 B (2.0), byte[] 1,000 B (2.0)");
    }

    @Test
    void readableNames() {
        assertThat(ClassHistogram.readable("[B")).isEqualTo("byte[]");
        assertThat(ClassHistogram.readable("[[J")).isEqualTo("long[][]");
        assertThat(ClassHistogram.readable("[Ljava.lang.Object;")).isEqualTo("Object[]");
        assertThat(ClassHistogram.readable("java.util.concurrent.locks.ReentrantLock$NonfairSync"))
                .isEqualTo("ReentrantLock$NonfairSync");
    }

    @Test
    void somethingElseThanAHistogramIsAnError() {
        assertThatThrownBy(() -> ClassHistogram.parse("12345:\nCommand executed successfully\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a class histogram");
    }
}
