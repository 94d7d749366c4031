package org.loomnet.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.loomnet.fuzz.NameLookups;
import org.loomnet.node.NodeId;
import org.loomnet.node.PeerAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class HostPortTest {

    @Test
    void ipv4LiteralIsResolvedWithoutLookup() throws Exception {
        InetSocketAddress a = HostPort.parse("127.0.0.2:7700");
        assertThat(a.isUnresolved()).isFalse();
        assertThat(a).isEqualTo(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 7700));
    }

    @Test
    void ipv6LiteralInBrackets() throws Exception {
        InetSocketAddress a = HostPort.parse("[::1]:7701");
        assertThat(a).isEqualTo(new InetSocketAddress(InetAddress.getByName("::1"), 7701));
        assertThat(HostPort.format(a)).isEqualTo("[0:0:0:0:0:0:0:1]:7701");
    }

    @Test
    void hostNameStaysUnresolvedUntilAsked() {
        InetSocketAddress a = HostPort.parse(" seed-1.example.org:7700 ");
        assertThat(a.isUnresolved()).isTrue();
        assertThat(a.getHostString()).isEqualTo("seed-1.example.org");
        assertThat(a.getPort()).isEqualTo(7700);
        assertThat(HostPort.format(a)).isEqualTo("seed-1.example.org:7700");
    }

    @ParameterizedTest
    @ValueSource(strings = {".17:.0.9", "a:localhost", "[x:y]", "::g"})
    void aStringWithAColonIsAnIpv6LiteralOrRefusedNeverLookedUp(String text) throws Exception {
        // Found by ApiServerFuzzTest: getByName(".17:.0.9") asked the name service.
        NameLookups.forbidden(() -> assertThatThrownBy(() -> HostPort.parseIpLiteral(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not an IPv6 address"));
    }

    @Test
    void formatReadsBackTheSameAddress() {
        for (String s : new String[] {"127.0.0.1:1", "10.1.2.3:65535"}) {
            assertThat(HostPort.format(HostPort.parse(s))).isEqualTo(s);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                  | empty address",
            "127.0.0.1           | missing port",
            "127.0.0.1:          | missing port",
            ":7700               | missing host",
            "::1:7700            | an IPv6 address needs brackets",
            "[::1]               | missing port",
            "[::1                | missing ']'",
            "[::1]7700           | unexpected '7700' after ']'",
            "[127.0.0.1]:7700    | brackets are for IPv6 addresses only",
            "[::g]:7700          | '::g' is not an IPv6 address",
            "127.0.0.1:0         | port 0 cannot be dialed",
            "127.0.0.1:65536     | port '65536' is not a number from 0 to 65535",
            "127.0.0.1:-1        | port '-1' is not a number from 0 to 65535",
            "127.0.0.1:77a       | port '77a' is not a number",
            "127.0.0.1:+77       | port '+77' is not a number",
            "1.2.3.256:7700      | '1.2.3.256' is not an IPv4 address",
            "1.2.3:7700          | '1.2.3' is not an IPv4 address",
            "01.2.3.4:7700       | '01.2.3.4' is not an IPv4 address",
            "bad_host:7700       | 'bad_host' is not a host name",
            "-bad.example:7700   | '-bad.example' is not a host name",
            "a..b:7700           | 'a..b' is not a host name",
            "a b:7700            | 'a b' is not a host name"})
    void rejectsWithAMessageSayingWhatIsWrong(String input, String problem) {
        assertThatThrownBy(() -> HostPort.parse(input))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(problem)
                .hasMessageContaining("expected HOST:PORT, IPv6 as [::1]:7700")
                .hasMessageNotContaining("\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "7700", "65535", " 80 "})
    void listenPortAcceptsZeroToMax(String port) {
        assertThat(HostPort.parseListenPort(port)).isEqualTo(Integer.parseInt(port.strip()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1", "65536", "x", "1e3", "123456"})
    void listenPortRejectsTheRest(String port) {
        assertThatThrownBy(() -> HostPort.parseListenPort(port))
                .hasMessageContaining("is not a port number from 0 to 65535");
    }

    @Test
    void hostAcceptsLiteralsWithOrWithoutBrackets() throws Exception {
        assertThat(HostPort.parseHost("0.0.0.0")).isEqualTo(InetAddress.getByName("0.0.0.0"));
        assertThat(HostPort.parseHost("::")).isEqualTo(InetAddress.getByName("::"));
        assertThat(HostPort.parseHost("[::1]")).isEqualTo(InetAddress.getByName("::1"));
    }

    @Test
    void anIpLiteralIsNeverAHostName() throws Exception {
        assertThat(HostPort.parseIpLiteral("127.0.0.9")).isEqualTo(InetAddress.getByName("127.0.0.9"));
        assertThat(HostPort.parseIpLiteral("[::1]")).isEqualTo(InetAddress.getByName("::1"));
        // Hex digits and dots, as the API's first check lets through: a name, refused unlooked-up.
        assertThatThrownBy(() -> HostPort.parseIpLiteral("cafe.be")).hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> HostPort.parseIpLiteral("127.0.8089a0b0c0")).hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> HostPort.parseIpLiteral("300.1.1.1")).hasMessageContaining("is not an IPv4 address");
    }

    @Test
    void hostRejectsMalformedInput() {
        assertThatThrownBy(() -> HostPort.parseHost("300.1.1.1"))
                .hasMessageContaining("'300.1.1.1' is not an IPv4 address")
                .hasMessageContaining("expected an IPv4 address, an IPv6 address or a host name");
        assertThatThrownBy(() -> HostPort.parseHost("")).hasMessageContaining("missing host");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "seed.example.org          | seed.example.org",
            "' seed.example.org:7701 ' | seed.example.org:7701",
            "localhost                 | localhost",
            "192.0.2.1                 | 192.0.2.1",
            "192.0.2.1:7702            | 192.0.2.1:7702",
            "[2001:db8::1]             | [2001:db8::1]",
            "[2001:db8::1]:7703        | [2001:db8::1]:7703"})
    void dnsSeedIsAHostWithAnOptionalPortAndIsNotLookedUp(String input, String seed) {
        assertThat(HostPort.parseDnsSeed(input)).isEqualTo(seed);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                  | empty DNS seed",
            "seed.example.org:   | missing port",
            ":7700               | missing host",
            "2001:db8::1         | an IPv6 address needs brackets",
            "[192.0.2.1]         | brackets are for IPv6 addresses only",
            "[::g]               | '::g' is not an IPv6 address",
            "seed.example.org:0  | port 0 cannot be dialed",
            "seed.example.org:x  | port 'x' is not a number",
            "bad_host            | 'bad_host' is not a host name",
            "https://seed.example.org | a DNS seed is a host name, not a URL (a URL goes to --seed-url)"})
    void dnsSeedRejectsWithAMessageSayingWhatIsWrong(String input, String problem) {
        assertThatThrownBy(() -> HostPort.parseDnsSeed(input))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(problem)
                .hasMessageEndingWith("; expected HOST or HOST:PORT (port 7700 if none), IPv6 as [::1]:7700")
                .hasMessageNotContaining("\n");
    }

    static final String ID = "0123456789abcdef0123456789abcdef01234567";

    @Test
    void peerWithoutIdIsNotPinned() throws Exception {
        PeerAddress p = HostPort.parsePeer(" 127.0.0.2:7700 ");
        assertThat(p).isEqualTo(PeerAddress.of(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 7700)));
        assertThat(p.nodeId()).isNull();
    }

    @Test
    void nodeIdInFrontPinsThePeer() throws Exception {
        PeerAddress p = HostPort.parsePeer(ID + "@[::1]:7701");
        assertThat(p.address()).isEqualTo(new InetSocketAddress(InetAddress.getByName("::1"), 7701));
        assertThat(p.nodeId()).isEqualTo(NodeId.parse(ID));
        assertThat(HostPort.format(p)).isEqualTo(ID + "@[0:0:0:0:0:0:0:1]:7701");
        // Either case; written back in lower case, as node ids are logged.
        assertThat(HostPort.parsePeer(ID.toUpperCase() + "@seed.example.org:7700").nodeId()).isEqualTo(NodeId.parse(ID));
        assertThat(HostPort.format(HostPort.parsePeer(ID + "@10.1.2.3:1"))).isEqualTo(ID + "@10.1.2.3:1");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "@127.0.0.1:7700                                          | missing node id before '@'",
            "0123@127.0.0.1:7700                                      | node id '0123' has 4 hex digits, not 40",
            "0123456789abcdef0123456789abcdef012345678@127.0.0.1:7700 | has 41 hex digits, not 40",
            "0123456789abcdef0123456789abcdef0123456g@127.0.0.1:7700  | is not hexadecimal",
            "0x23456789abcdef0123456789abcdef01234567@127.0.0.1:7700  | is not hexadecimal",
            "node-1@127.0.0.1:7700                                    | node id 'node-1' is not hexadecimal"})
    void badNodeIdIsRejectedAsSuch(String input, String problem) {
        assertThatThrownBy(() -> HostPort.parsePeer(input))
                .isInstanceOf(HostPort.BadNodeId.class)
                .hasMessageStartingWith("'" + input + "': ")
                .hasMessageContaining(problem)
                .hasMessageEndingWith("; " + HostPort.EXPECTED_PEER)
                .hasMessageNotContaining("\n");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0123456789abcdef0123456789abcdef01234567@127.0.0.1      | missing port",
            "0123456789abcdef0123456789abcdef01234567@               | missing address",
            "abc@127.0.0.1:0                                         | port 0 cannot be dialed",
            "0123456789abcdef0123456789abcdef01234567@a@b:1          | 'a@b' is not a host name",
            "127.0.0.1                                               | missing port"})
    void aBadAddressIsAnAddressErrorWhateverTheId(String input, String problem) {
        assertThatThrownBy(() -> HostPort.parsePeer(input))
                .isInstanceOf(IllegalArgumentException.class)
                .isNotInstanceOf(HostPort.BadNodeId.class)
                .hasMessageStartingWith("'" + input + "': " + problem)
                .hasMessageEndingWith(HostPort.EXPECTED_PEER);
    }
}
