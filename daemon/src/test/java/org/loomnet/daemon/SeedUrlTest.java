package org.loomnet.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SeedUrlTest {

    @ParameterizedTest
    @ValueSource(strings = {"http://seeds.example.org/loomnet.txt", "https://seeds.example.org",
            "HTTPS://seeds.example.org:8443/a?network=loomnet", "http://127.0.0.1:8080/", "http://[::1]/peers"})
    void acceptsHttpAndHttpsUrlsWithAHost(String text) {
        assertThat(SeedUrl.parse(text)).isEqualTo(URI.create(text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                        | empty URL",
            "seeds.example.org         | 'seeds.example.org': missing http:// or https://",
            "/peers.txt                | '/peers.txt': missing http:// or https://",
            "ftp://seeds.example.org/  | 'ftp://seeds.example.org/': scheme 'ftp' is not http or https",
            "file:///etc/passwd        | 'file:///etc/passwd': scheme 'file' is not http or https",
            "http:seeds.example.org    | 'http:seeds.example.org': missing host after http://",
            "http:///peers.txt         | 'http:///peers.txt': missing host after http://",
            "http://bad_host/          | 'http://bad_host/': 'bad_host' is not a valid host",
            "http://seeds.example.org:0/ | port 0 is not a number from 1 to 65535",
            "http://seeds.example.org:70000/ | port 70000 is not a number from 1 to 65535",
            "http://a b/               | 'http://a b/': not a valid URL (illegal character in authority at index 8)",
            "http://[::1/              | 'http://[::1/': not a valid URL"})
    void rejectsWithAOneLineMessageSayingWhatIsWrong(String text, String problem) {
        assertThatThrownBy(() -> SeedUrl.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(problem)
                .hasMessageEndingWith("; expected an http:// or https:// URL such as https://seeds.example.org/peers.txt")
                .hasMessageNotContaining("\n");
    }
}
