namespace Course.Tests.Testing;

/// <summary><see cref="Scrub"/>: each scrubber replaces what it claims, and nothing else.</summary>
public class ScrubTests
{
    [Fact]
    public void Port_replaces_the_port_as_a_whole_number_only()
    {
        var scrub = Scrub.Port(51234);

        scrub("connected to 127.0.0.1:51234 from port 51234.").ShouldBe("connected to 127.0.0.1:<port> from port <port>.");
        scrub("not 151234, 512345, x51234, 1.51234 or 51234x").ShouldBe("not 151234, 512345, x51234, 1.51234 or 51234x");
    }

    [Fact]
    public void Port_uses_the_placeholder_it_is_given()
        => Scrub.Port(40000, "<server-port>")("listening on 127.0.0.1:40000").ShouldBe("listening on 127.0.0.1:<server-port>");

    [Fact]
    public void Port_rejects_a_negative_port()
        => Should.Throw<ArgumentOutOfRangeException>(() => Scrub.Port(-1));

    [Fact]
    public void Ports_replaces_each_known_port()
        => Scrub.Ports(40000, 40001)("proxy 40001 → server 40000, client 51234").ShouldBe("proxy <port> → server <port>, client 51234");

    [Fact]
    public void LoopbackEndpoints_replaces_the_port_of_loopback_endpoints()
        => Scrub.LoopbackEndpoints("accepted 127.0.0.1:51234 and [::1]:8080").ShouldBe("accepted 127.0.0.1:<port> and [::1]:<port>");

    [Fact]
    public void LoopbackEndpoints_leaves_other_addresses_and_bare_loopback_alone()
    {
        const string text = "10.0.0.1:8080 0.0.0.0:80 192.168.1.127:22 127.0.0.10:5000 127.0.0.1 alone";

        Scrub.LoopbackEndpoints(text).ShouldBe(text);
    }

    [Fact]
    public void Guids_are_numbered_by_first_appearance_whatever_their_case()
    {
        const string text = "conn 0f8fad5b-d9cb-469f-a165-70867728950e opened; 7c9e6679-7425-40de-944b-e07fc1f90ae7 opened; 0F8FAD5B-D9CB-469F-A165-70867728950E closed";

        Scrub.Guids(text).ShouldBe("conn <guid-1> opened; <guid-2> opened; <guid-1> closed");
    }

    [Fact]
    public void Guids_start_again_from_1_on_each_text()
    {
        Scrub.Guids("7c9e6679-7425-40de-944b-e07fc1f90ae7").ShouldBe("<guid-1>");
        Scrub.Guids("0f8fad5b-d9cb-469f-a165-70867728950e").ShouldBe("<guid-1>");
    }

    [Fact]
    public void Guids_leave_hex_that_is_not_a_guid_alone()
    {
        const string text = "81 05 48 65 6c 6c 6f and 0f8fad5b-d9cb-469f-a165";

        Scrub.Guids(text).ShouldBe(text);
    }

    [Fact]
    public void Timestamps_replaces_ISO_8601_and_HTTP_dates()
    {
        Scrub.Timestamps("at 2025-01-31T12:34:56.789Z, 2025-01-31 12:34:56, 2025-01-31T12:34:56+01:00; Date: Fri, 31 Jan 2025 12:34:56 GMT")
            .ShouldBe("at <timestamp>, <timestamp>, <timestamp>; Date: <timestamp>");
    }

    [Fact]
    public void Timestamps_leave_a_date_or_a_time_alone()
    {
        const string text = "due 2025-01-31, at 12:34, version 1.2.3";

        Scrub.Timestamps(text).ShouldBe(text);
    }

    [Fact]
    public void Durations_replaces_numbers_with_a_time_unit_and_TimeSpan_text()
        => Scrub.Durations("took 12.5 ms, 3 s, 250µs, 40 ns, 7us, 0.5s and 00:00:01.2500000")
            .ShouldBe("took <duration>, <duration>, <duration>, <duration>, <duration>, <duration> and <duration>");

    [Fact]
    public void Durations_leave_counts_and_words_alone()
    {
        const string text = "3 sockets, 5 seconds, 6 bytes, 2 streams, HTTP/1.1 101 Switching Protocols, ws 13";

        Scrub.Durations(text).ShouldBe(text);
    }

    [Fact]
    public void Default_scrubs_endpoints_guids_timestamps_and_durations_together()
    {
        Scrub.Default("2025-01-31T12:34:56Z accepted 127.0.0.1:51234 as 0f8fad5b-d9cb-469f-a165-70867728950e in 12 ms")
            .ShouldBe("<timestamp> accepted 127.0.0.1:<port> as <guid-1> in <duration>");
    }

    [Fact]
    public void Default_leaves_a_transcript_without_varying_parts_unchanged()
    {
        const string text = """
            client: connect → connected
            client → server  6 bytes  "hello␊"
            server → client  6 bytes  "hello␊"
            81 05 48 65 6c 6c 6f | FIN text len=5
            HTTP/1.1 101 Switching Protocols
            Sec-WebSocket-Version: 13
            listening on 0.0.0.0:8080 (backlog 128)
            """;

        Scrub.Default(text).ShouldBe(text);
    }

    [Fact]
    public void Replace_replaces_every_occurrence_of_a_literal()
        => Scrub.Replace("/tmp/x1", "<tmp>")("/tmp/x1/a and /tmp/x1/b, not /TMP/X1").ShouldBe("<tmp>/a and <tmp>/b, not /TMP/X1");

    [Fact]
    public void Pattern_replaces_every_match_of_a_regex()
        => Scrub.Pattern(@"pid \d+", "pid <pid>")("pid 4242 then pid 7").ShouldBe("pid <pid> then pid <pid>");

    [Fact]
    public void Combine_applies_the_scrubbers_in_order()
    {
        Scrub.Combine(Scrub.Replace("a", "b"), Scrub.Replace("b", "c"))("a").ShouldBe("c");
        Scrub.Combine(Scrub.Replace("b", "c"), Scrub.Replace("a", "b"))("a").ShouldBe("b");
        Scrub.Combine()("same").ShouldBe("same");
    }
}
