package org.loomnet.dht;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.loomnet.dht.RoutingTable.Contact;
import org.loomnet.dht.RoutingTable.Failure;
import org.loomnet.dht.RoutingTable.Update;

/**
 * The routing table in key spaces of a few bits, where every split and every full bucket is
 * reachable with a handful of ids. Time is a number passed in.
 */
class RoutingTableTest {

    private static final int WIDTH = 4;
    private static final long MINUTE = 60_000;
    private static final Duration GOOD_FOR = Duration.ofMinutes(15);

    private static DhtId id(int value) {
        return DhtId.ofTopBits(value, WIDTH);
    }

    private static InetSocketAddress addr(int i) {
        return new InetSocketAddress("127.0.0.1", 10_000 + i);
    }

    private static NodeInfo node(int value) {
        return new NodeInfo(id(value), addr(value));
    }

    /** Self 0000, k = 2, two replacement slots per bucket, bad after 2 failures. */
    private static RoutingTable table() {
        return new RoutingTable(id(0), WIDTH, 2, 2, GOOD_FOR, 2, 0);
    }

    private static List<List<Integer>> layout(RoutingTable t) {
        List<List<Integer>> out = new ArrayList<>();
        for (RoutingTableSnapshot.Bucket b : t.snapshot(0).buckets()) {
            out.add(b.nodes().stream().map(n -> (n.info().id().bytes()[0] & 0xff) >>> (8 - WIDTH)).toList());
        }
        return out;
    }

    @Test
    void ourOwnIdIsNeverAdded() {
        RoutingTable t = table();
        assertThat(t.heard(new NodeInfo(id(0), addr(99)), Contact.RESPONSE, 0)).isEqualTo(Update.SELF);
        assertThat(t.heard(new NodeInfo(id(0), addr(99)), Contact.RESTORED, 0)).isEqualTo(Update.SELF);
        assertThat(t.size()).isZero();
        assertThat(t.failed(id(0), 0)).isEqualTo(Failure.UNKNOWN);
    }

    @Test
    void onlyTheBucketHoldingOurIdSplits() {
        RoutingTable t = table();
        assertThat(t.heard(node(8), Contact.RESPONSE, 0)).isEqualTo(Update.ADDED);   // 1000
        assertThat(t.heard(node(9), Contact.RESPONSE, 0)).isEqualTo(Update.ADDED);   // 1001
        assertThat(t.bucketCount()).isEqualTo(1);
        // 1100: the one bucket is full and holds our id: it splits into 1xxx and 0xxx; 1xxx is
        // full and no longer holds our id, so the newcomer waits.
        assertThat(t.heard(node(12), Contact.RESPONSE, 0)).isEqualTo(Update.CACHED);
        assertThat(t.bucketCount()).isEqualTo(2);
        assertThat(t.heard(node(4), Contact.RESPONSE, 0)).isEqualTo(Update.ADDED);   // 0100
        assertThat(t.heard(node(6), Contact.RESPONSE, 0)).isEqualTo(Update.ADDED);   // 0110
        assertThat(t.heard(node(2), Contact.RESPONSE, 0)).isEqualTo(Update.ADDED);   // 0010: splits 0xxx
        assertThat(t.heard(node(3), Contact.RESPONSE, 0)).isEqualTo(Update.ADDED);   // 0011
        assertThat(t.heard(node(1), Contact.RESPONSE, 0)).isEqualTo(Update.ADDED);   // 0001: splits 00xx
        assertThat(layout(t)).containsExactly(List.of(8, 9), List.of(4, 6), List.of(2, 3), List.of(1));
        // Four buckets for four bits: the last one holds the single id sharing three bits with us.
        assertThat(t.bucketCount()).isEqualTo(WIDTH);
        assertThat(t.heard(node(5), Contact.RESPONSE, 0)).isEqualTo(Update.CACHED);  // 0101: bucket 1 is full
        assertThat(t.bucketCount()).isEqualTo(WIDTH);
        assertThat(t.size()).isEqualTo(7);
        RoutingTableSnapshot s = t.snapshot(0);
        assertThat(s.buckets().get(0).replacements()).extracting(n -> n.info().id()).containsExactly(id(12));
        assertThat(s.buckets().get(1).replacements()).extracting(n -> n.info().id()).containsExactly(id(5));
        assertThat(s.buckets().get(3).containsSelf()).isTrue();
        assertThat(s.buckets().get(2).containsSelf()).isFalse();
    }

    @Test
    void statusesFollowBep5() {
        RoutingTable t = table();
        t.heard(node(8), Contact.RESPONSE, 0);
        t.heard(node(9), Contact.QUERY, 0);
        assertThat(t.status(id(8), 0)).isEqualTo(NodeStatus.GOOD);
        // Only queried us, never answered: questionable.
        assertThat(t.status(id(9), 0)).isEqualTo(NodeStatus.QUESTIONABLE);
        assertThat(t.status(id(8), 15 * MINUTE)).isEqualTo(NodeStatus.QUESTIONABLE);
        // Answered once, and queried us within 15 minutes: good again.
        t.heard(node(8), Contact.QUERY, 20 * MINUTE);
        assertThat(t.status(id(8), 30 * MINUTE)).isEqualTo(NodeStatus.GOOD);
        assertThat(t.status(id(8), 35 * MINUTE)).isEqualTo(NodeStatus.QUESTIONABLE);
        assertThat(t.failed(id(8), 36 * MINUTE)).isEqualTo(Failure.COUNTED);
        assertThat(t.status(id(8), 36 * MINUTE)).isEqualTo(NodeStatus.QUESTIONABLE);
        assertThat(t.failed(id(8), 37 * MINUTE)).isEqualTo(Failure.BAD); // no candidate waiting: it stays, bad
        assertThat(t.status(id(8), 37 * MINUTE)).isEqualTo(NodeStatus.BAD);
        // An answer clears the failures.
        t.heard(node(8), Contact.RESPONSE, 38 * MINUTE);
        assertThat(t.status(id(8), 38 * MINUTE)).isEqualTo(NodeStatus.GOOD);
    }

    @Test
    void aBadNodeIsReplacedAtOnceByANewcomer() {
        RoutingTable t = table();
        t.heard(node(4), Contact.RESPONSE, 0); // fill 0xxx... with self 0000 one bucket at first
        t.heard(node(8), Contact.RESPONSE, 0);
        t.heard(node(9), Contact.RESPONSE, 0); // split: [8,9] [4]
        t.failed(id(8), 1);
        t.failed(id(8), 2);
        assertThat(t.status(id(8), 2)).isEqualTo(NodeStatus.BAD);
        assertThat(t.heard(node(12), Contact.QUERY, 3)).isEqualTo(Update.REPLACED_BAD);
        assertThat(layout(t).get(0)).containsExactly(12, 9);
        assertThat(t.status(id(8), 3)).isNull();
    }

    @Test
    void aQuestionableNodeIsPingedBeforeItIsReplaced() {
        RoutingTable t = table();
        t.heard(node(4), Contact.RESPONSE, 0);
        t.heard(node(8), Contact.RESPONSE, 0);
        t.heard(node(9), Contact.RESPONSE, 1);
        // All good: a newcomer waits, and there is no one to ping.
        assertThat(t.heard(node(12), Contact.RESPONSE, 2)).isEqualTo(Update.CACHED);
        assertThat(t.verifyCandidate(id(12), 2)).isNull();
        // Twenty minutes later both are questionable: ping the least recently seen first, one at a time.
        long later = 20 * MINUTE;
        assertThat(t.heard(node(13), Contact.RESPONSE, later)).isEqualTo(Update.CACHED);
        assertThat(t.verifyCandidate(id(13), later)).isEqualTo(node(8));
        assertThat(t.verifyCandidate(id(13), later)).isNull();
        // 8 answers: it keeps its place and the next questionable one is pinged.
        assertThat(t.heard(node(8), Contact.RESPONSE, later + 1)).isEqualTo(Update.UPDATED);
        assertThat(t.verifyCandidate(id(13), later + 1)).isEqualTo(node(9));
        // 9 fails twice: bad, and the newest candidate (13) takes its place.
        assertThat(t.failed(id(9), later + 2)).isEqualTo(Failure.COUNTED);
        assertThat(t.verifyCandidate(id(13), later + 2)).isEqualTo(node(9));
        assertThat(t.failed(id(9), later + 3)).isEqualTo(Failure.REPLACED);
        assertThat(layout(t).get(0)).containsExactly(8, 13);
        assertThat(t.snapshot(later + 3).buckets().get(0).replacements()).extracting(n -> n.info().id())
                .containsExactly(id(12));
    }

    @Test
    void replacementCacheIsBoundedAndKeepsTheNewest() {
        RoutingTable t = table();
        t.heard(node(4), Contact.RESPONSE, 0);
        t.heard(node(8), Contact.RESPONSE, 0);
        t.heard(node(9), Contact.RESPONSE, 0);
        t.heard(node(12), Contact.RESPONSE, 1);
        t.heard(node(13), Contact.RESPONSE, 2);
        t.heard(node(14), Contact.RESPONSE, 3);
        assertThat(t.snapshot(3).buckets().get(0).replacements()).extracting(n -> n.info().id())
                .containsExactly(id(13), id(14));
        assertThat(t.failed(id(13), 4)).isEqualTo(Failure.CANDIDATE_DROPPED);
    }

    @Test
    void aKnownIdFromAnotherAddressIsIgnoredUntilTheKnownOneIsBad() {
        RoutingTable t = table();
        t.heard(node(8), Contact.RESPONSE, 0);
        NodeInfo impostor = new NodeInfo(id(8), addr(77));
        assertThat(t.heard(impostor, Contact.RESPONSE, 1)).isEqualTo(Update.ADDRESS_CONFLICT);
        assertThat(t.closest(id(8), 1, 1)).containsExactly(node(8));
        t.failed(id(8), 2);
        t.failed(id(8), 3);
        assertThat(t.heard(impostor, Contact.QUERY, 4)).isEqualTo(Update.ADDRESS_CONFLICT);
        assertThat(t.heard(impostor, Contact.RESPONSE, 4)).isEqualTo(Update.UPDATED);
        assertThat(t.closest(id(8), 1, 4)).containsExactly(impostor);
    }

    @Test
    void restoredNodesAreQuestionableAndNeverDisplaceAnyone() {
        RoutingTable t = table();
        t.heard(node(4), Contact.RESTORED, 0);
        t.heard(node(8), Contact.RESTORED, 0);
        t.heard(node(9), Contact.RESTORED, 0);
        assertThat(t.status(id(8), 0)).isEqualTo(NodeStatus.QUESTIONABLE);
        assertThat(t.heard(node(12), Contact.RESTORED, 0)).isEqualTo(Update.DROPPED);
        assertThat(t.isCandidate(id(12))).isFalse();
    }

    @Test
    void closestIsByXorDistanceAndSkipsBadNodes() {
        int width = 8;
        RoutingTable t = new RoutingTable(DhtId.ofTopBits(0b1010_1010, width), width, 4, 4, GOOD_FOR, 2, 0);
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 256; i++) {
            t.heard(new NodeInfo(DhtId.ofTopBits(random.nextInt(256), width), addr(i)), Contact.RESPONSE, 0);
        }
        assertThat(t.size()).isLessThanOrEqualTo(t.bucketCount() * 4);
        DhtId bad = t.snapshot(0).nodes().get(3).info().id();
        t.failed(bad, 1);
        t.failed(bad, 1);
        List<DhtId> inTable = t.snapshot(1).nodes().stream().filter(n -> n.status() != NodeStatus.BAD)
                .map(n -> n.info().id()).toList();
        // Bad: kept but never offered, or already replaced by a waiting candidate.
        assertThat(inTable).doesNotContain(bad).hasSizeGreaterThan(20);
        assertThat(t.closest(bad, 64, 1)).extracting(NodeInfo::id).doesNotContain(bad);
        for (int target = 0; target < 256; target += 17) {
            DhtId tid = DhtId.ofTopBits(target, width);
            List<DhtId> expected = inTable.stream()
                    .sorted(Comparator.comparing(x -> x, tid.closestFirst())).limit(5).toList();
            assertThat(t.closest(tid, 5, 1)).extracting(NodeInfo::id).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void staleBucketsGetARefreshTargetInTheirOwnRange() {
        RoutingTable t = table();
        for (int v : new int[] {8, 9, 4, 6, 2, 3, 1}) {
            t.heard(node(v), Contact.RESPONSE, 0);
        }
        assertThat(t.refreshTargets(14 * MINUTE, 15 * MINUTE, new SplittableRandom(3))).isEmpty();
        t.heard(node(8), Contact.RESPONSE, 10 * MINUTE); // bucket 0 changed at minute 10
        List<DhtId> targets = t.refreshTargets(16 * MINUTE, 15 * MINUTE, new SplittableRandom(3));
        assertThat(targets).hasSize(3);
        // One target for each stale bucket 1, 2 and 3, each inside its range.
        assertThat(targets).extracting(x -> Math.min(x.commonPrefixLength(id(0)), WIDTH))
                .containsExactly(1, 2, 3);
        for (DhtId x : targets) {
            assertThat(x.commonPrefixLength(id(0))).isGreaterThanOrEqualTo(1);
            assertThat(x.bytes()[1]).isZero(); // bits past the width stay zero
        }
        assertThat(t.refreshTargets(17 * MINUTE, 15 * MINUTE, new SplittableRandom(3))).isEmpty();
        assertThat(t.refreshTargets(26 * MINUTE, 15 * MINUTE, new SplittableRandom(3))).hasSize(1);
    }

    @Test
    void aFullWidthTableKeepsItsInvariants() {
        DhtId self = DhtId.random(new SplittableRandom(9));
        RoutingTable t = new RoutingTable(self, DhtId.BITS, 8, 8, GOOD_FOR, 2, 0);
        SplittableRandom random = new SplittableRandom(10);
        for (int i = 0; i < 20_000; i++) {
            t.heard(new NodeInfo(DhtId.random(random), addr(i % 50_000)), Contact.QUERY, i);
        }
        RoutingTableSnapshot s = t.snapshot(20_000);
        assertThat(s.size()).isEqualTo(t.size());
        assertThat(s.buckets().size()).isBetween(10, 20);
        for (RoutingTableSnapshot.Bucket b : s.buckets()) {
            assertThat(b.nodes()).hasSizeLessThanOrEqualTo(8);
            assertThat(b.replacements()).hasSizeLessThanOrEqualTo(8);
            for (RoutingTableSnapshot.Node n : b.nodes()) {
                int shared = n.info().id().commonPrefixLength(self);
                if (b.containsSelf()) {
                    assertThat(shared).isGreaterThanOrEqualTo(b.prefixBits());
                } else {
                    assertThat(shared).isEqualTo(b.prefixBits());
                }
            }
        }
        // Every bucket but the last two is full: random ids land far more often far away.
        assertThat(s.buckets().get(0).nodes()).hasSize(8);
    }
}
