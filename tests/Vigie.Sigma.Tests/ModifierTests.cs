using System.Text;
using static Vigie.Sigma.Tests.RuleHarness;

namespace Vigie.Sigma.Tests;

/// <summary>Every value modifier of Sigma 2.1, with the specification's own examples where it gives them.</summary>
public sealed class ModifierTests
{
    private static Dictionary<string, object?> Cmd(string commandLine) => Event(("CommandLine", commandLine));

    [Fact]
    public void Plain_values_match_the_whole_value_case_insensitively()
    {
        const string detection = "sel:\n    Image: 'C:\\Windows\\System32\\cmd.exe'\ncondition: sel";
        Matches(detection, Event(("Image", @"c:\windows\system32\CMD.EXE"))).ShouldBeTrue();
        Matches(detection, Event(("Image", @"C:\Windows\System32\cmd.exe.bak"))).ShouldBeFalse();
    }

    [Fact]
    public void Contains_startswith_and_endswith_place_the_value()
    {
        Matches("sel:\n    CommandLine|contains: 'mimikatz'\ncondition: sel", Cmd("run MimiKatz now")).ShouldBeTrue();
        Matches("sel:\n    CommandLine|startswith: 'net '\ncondition: sel", Cmd("NET user")).ShouldBeTrue();
        Matches("sel:\n    CommandLine|startswith: 'net '\ncondition: sel", Cmd("dotnet user")).ShouldBeFalse();
        Matches("sel:\n    CommandLine|endswith: '.ps1'\ncondition: sel", Cmd("run x.PS1")).ShouldBeTrue();
        Matches("sel:\n    CommandLine|endswith: '.ps1'\ncondition: sel", Cmd("x.ps1 -f")).ShouldBeFalse();
    }

    [Fact]
    public void Lists_are_any_of_and_all_makes_them_all_of()
    {
        const string any = "sel:\n    CommandLine|contains:\n        - 'vssadmin'\n        - 'wbadmin'\ncondition: sel";
        Matches(any, Cmd("wbadmin delete")).ShouldBeTrue();
        const string all = "sel:\n    CommandLine|contains|all:\n        - 'vssadmin'\n        - 'delete'\ncondition: sel";
        Matches(all, Cmd("vssadmin delete shadows")).ShouldBeTrue();
        Matches(all, Cmd("vssadmin list shadows")).ShouldBeFalse();
    }

    [Fact]
    public void Cased_matches_case_sensitively()
    {
        const string detection = "sel:\n    CommandLine|contains|cased: 'WebClient'\ncondition: sel";
        Matches(detection, Cmd("New-Object Net.WebClient")).ShouldBeTrue();
        Matches(detection, Cmd("new-object net.webclient")).ShouldBeFalse();
    }

    [Fact]
    public void Exists_checks_presence_only()
    {
        Matches("sel:\n    User|exists: true\ncondition: sel", Event(("User", null))).ShouldBeTrue();
        Matches("sel:\n    User|exists: true\ncondition: sel", Event(("Image", "x"))).ShouldBeFalse();
        Matches("sel:\n    User|exists: false\ncondition: sel", Event(("Image", "x"))).ShouldBeTrue();
    }

    [Fact]
    public void Neq_matches_values_that_differ()
    {
        const string detection = "sel:\n    LogonType|neq: 3\ncondition: sel";
        Matches(detection, Event(("LogonType", 10))).ShouldBeTrue();
        Matches(detection, Event(("LogonType", 3))).ShouldBeFalse();
        Matches("sel:\n    User|neq: 'SYSTEM'\ncondition: sel", Event(("User", "system"))).ShouldBeFalse();
    }

    [Theory]
    [InlineData("powershell -enc AAAA", true)]
    [InlineData("powershell /enc AAAA", true)]
    [InlineData("powershell \u2013enc AAAA", true)]
    [InlineData("powershell \u2014enc AAAA", true)]
    [InlineData("powershell \u2015enc AAAA", true)]
    [InlineData("powershell +enc AAAA", false)]
    public void Windash_accepts_every_dash_character_for_a_flag(string commandLine, bool expected)
    {
        Matches("sel:\n    CommandLine|windash|contains: ' -enc '\ncondition: sel", Cmd(commandLine)).ShouldBe(expected);
    }

    [Fact]
    public void Windash_leaves_dashes_inside_words_alone()
    {
        // "foo-bar": the dash follows a word character, so it is not a flag.
        Matches("sel:\n    CommandLine|windash|contains: 'foo-bar'\ncondition: sel", Cmd("x foo/bar")).ShouldBeFalse();
    }

    [Fact]
    public void Re_is_case_sensitive_unless_i()
    {
        Matches("sel:\n    CommandLine|re: 'Invoke-[A-Z]+'\ncondition: sel", Cmd("Invoke-MIMI")).ShouldBeTrue();
        Matches("sel:\n    CommandLine|re: 'Invoke-[A-Z]+'\ncondition: sel", Cmd("invoke-mimi")).ShouldBeFalse();
        Matches("sel:\n    CommandLine|re|i: 'Invoke-[A-Z]+'\ncondition: sel", Cmd("invoke-mimi")).ShouldBeTrue();
    }

    [Fact]
    public void Re_m_anchors_lines_and_re_s_lets_dot_match_newlines()
    {
        Matches("sel:\n    CommandLine|re: '^second'\ncondition: sel", Cmd("first\nsecond")).ShouldBeFalse();
        Matches("sel:\n    CommandLine|re|m: '^second'\ncondition: sel", Cmd("first\nsecond")).ShouldBeTrue();
        Matches("sel:\n    CommandLine|re: 'first.second'\ncondition: sel", Cmd("first\nsecond")).ShouldBeFalse();
        Matches("sel:\n    CommandLine|re|s: 'first.second'\ncondition: sel", Cmd("first\nsecond")).ShouldBeTrue();
    }

    [Fact]
    public void Base64_matches_the_encoded_value()
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes("http://"));
        Matches("sel:\n    CommandLine|base64: 'http://'\ncondition: sel", Cmd(encoded)).ShouldBeTrue();
        Matches("sel:\n    CommandLine|base64: 'http://'\ncondition: sel", Cmd("http://")).ShouldBeFalse();
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("ab")]
    [InlineData("abc ")]
    public void Base64offset_finds_the_value_at_every_byte_offset(string prefix)
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(prefix + "/bin/bash -i" + " >& /dev/tcp"));
        Matches("sel:\n    CommandLine|base64offset|contains: '/bin/bash'\ncondition: sel", Cmd(encoded)).ShouldBeTrue();
    }

    [Theory]
    [InlineData("wide")]
    [InlineData("utf16le")]
    public void Utf16le_and_wide_encode_before_base64offset(string modifier)
    {
        var encoded = Convert.ToBase64String(Encoding.Unicode.GetBytes("$x = Invoke-Expression $y"));
        Matches($"sel:\n    CommandLine|{modifier}|base64offset|contains: 'Invoke-Expression'\ncondition: sel", Cmd(encoded)).ShouldBeTrue();
        Matches($"sel:\n    CommandLine|base64offset|contains: 'Invoke-Expression'\ncondition: sel", Cmd(encoded)).ShouldBeFalse();
    }

    [Fact]
    public void Utf16be_and_utf16_follow_the_specification_examples()
    {
        // Specification: utf16be 'cmd' → 00 63 00 6d 00 64; utf16 'cmd' → FF FE 63 00 6d 00 64 00.
        var be = Convert.ToBase64String([0x00, 0x63, 0x00, 0x6d, 0x00, 0x64]);
        var bom = Convert.ToBase64String([0xFF, 0xFE, 0x63, 0x00, 0x6d, 0x00, 0x64, 0x00]);
        Matches("sel:\n    Data|utf16be|base64: 'cmd'\ncondition: sel", Event(("Data", be))).ShouldBeTrue();
        Matches("sel:\n    Data|utf16|base64: 'cmd'\ncondition: sel", Event(("Data", bom))).ShouldBeTrue();
        Matches("sel:\n    Data|utf16le|base64: 'cmd'\ncondition: sel", Event(("Data", be))).ShouldBeFalse();
    }

    [Theory]
    [InlineData("lt", 5, true)]
    [InlineData("lt", 10, false)]
    [InlineData("lte", 10, true)]
    [InlineData("gt", 11, true)]
    [InlineData("gt", 10, false)]
    [InlineData("gte", 10, true)]
    public void Numeric_comparisons_compare_numbers(string modifier, int value, bool expected)
    {
        Matches($"sel:\n    Count|{modifier}: 10\ncondition: sel", Event(("Count", value))).ShouldBe(expected);
        Matches($"sel:\n    Count|{modifier}: 10\ncondition: sel", Event(("Count", value.ToString(System.Globalization.CultureInfo.InvariantCulture)))).ShouldBe(expected);
    }

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("11.0.0.1", false)]
    [InlineData("not an address", false)]
    public void Cidr_matches_ipv4_networks(string address, bool expected)
    {
        Matches("sel:\n    DestinationIp|cidr: 10.0.0.0/8\ncondition: sel", Event(("DestinationIp", address))).ShouldBe(expected);
    }

    [Theory]
    [InlineData("fe80::1", true)]
    [InlineData("fe81::1", true)]
    [InlineData("fec0::1", false)]
    public void Cidr_matches_ipv6_networks(string address, bool expected)
    {
        Matches("sel:\n    SourceIp|cidr: 'fe80::/10'\ncondition: sel", Event(("SourceIp", address))).ShouldBe(expected);
    }

    [Fact]
    public void Expand_replaces_placeholders_from_configuration()
    {
        var options = new SigmaEngineOptions
        {
            Logsources = null,
            Placeholders = new Dictionary<string, IReadOnlyList<string>> { ["Admins"] = ["adm_alice", "adm_bob"] },
        };
        var engine = Engine("sel:\n    User|expand: '%Admins%'\ncondition: sel", options);
        engine.Matches(Event(("User", "ADM_BOB"))).ShouldBeTrue();
        engine.Matches(Event(("User", "carol"))).ShouldBeFalse();
    }

    [Fact]
    public void Expand_without_configured_values_matches_nothing_and_is_reported()
    {
        var engine = Engine("sel:\n    User|expand: '%Admins%'\ncondition: sel");
        engine.Matches(Event(("User", "%Admins%"))).ShouldBeFalse();
        engine.Diagnostics.ShouldContain(d => d.Message.Contains("%Admins%", StringComparison.Ordinal));
    }

    [Fact]
    public void Fieldref_compares_two_fields_of_the_event()
    {
        const string equal = "sel:\n    ParentImage|fieldref: Image\ncondition: sel";
        Matches(equal, Event(("Image", @"C:\a.exe"), ("ParentImage", @"c:\A.EXE"))).ShouldBeTrue();
        Matches(equal, Event(("Image", @"C:\a.exe"), ("ParentImage", @"C:\b.exe"))).ShouldBeFalse();
        const string differ = "sel:\n    ParentImage|fieldref|neq: Image\ncondition: sel";
        Matches(differ, Event(("Image", @"C:\a.exe"), ("ParentImage", @"C:\b.exe"))).ShouldBeTrue();
    }

    [Theory]
    [InlineData("minute", 42)]
    [InlineData("hour", 3)]
    [InlineData("day", 17)]
    [InlineData("week", 16)]
    [InlineData("month", 4)]
    [InlineData("year", 2026)]
    public void Time_modifiers_extract_a_part_of_the_date(string modifier, int value)
    {
        var e = Event(("UtcTime", "2026-04-17 03:42:53.079"));
        Matches($"sel:\n    UtcTime|{modifier}: {value}\ncondition: sel", e).ShouldBeTrue();
        Matches($"sel:\n    UtcTime|{modifier}: {value + 1}\ncondition: sel", e).ShouldBeFalse();
    }

    [Fact]
    public void Time_modifiers_combine_with_comparisons()
    {
        Matches("sel:\n    UtcTime|hour|gte: 22\ncondition: sel", Event(("UtcTime", "2026-04-17T23:10:00Z"))).ShouldBeTrue();
        Matches("sel:\n    UtcTime|hour|gte: 22\ncondition: sel", Event(("UtcTime", "2026-04-17T09:10:00Z"))).ShouldBeFalse();
    }

    [Fact]
    public void Wildcards_and_their_escapes_follow_the_specification()
    {
        Matches("sel:\n    Image: '*\\cmd.?xe'\ncondition: sel", Event(("Image", @"C:\x\cmd.exe"))).ShouldBeTrue();
        Matches("sel:\n    Image: 'a*b*c'\ncondition: sel", Event(("Image", "aXXbYYc"))).ShouldBeTrue();
        Matches("sel:\n    Image: 'a*b*c'\ncondition: sel", Event(("Image", "aXXcYYb"))).ShouldBeFalse();
        // \* is a literal star, \? a literal question mark, \\ one backslash.
        Matches("sel:\n    Value: 'a\\*b'\ncondition: sel", Event(("Value", "a*b"))).ShouldBeTrue();
        Matches("sel:\n    Value: 'a\\*b'\ncondition: sel", Event(("Value", "aXb"))).ShouldBeFalse();
        Matches("sel:\n    Value: 'what\\?'\ncondition: sel", Event(("Value", "what?"))).ShouldBeTrue();
        Matches("sel:\n    Value: 'what\\?'\ncondition: sel", Event(("Value", "whatX"))).ShouldBeFalse();
        Matches("sel:\n    Value: 'C:\\\\Temp'\ncondition: sel", Event(("Value", @"C:\Temp"))).ShouldBeTrue();
    }

    [Fact]
    public void Null_matches_a_missing_or_null_field_and_empty_string_only_empty()
    {
        Matches("sel:\n    User: null\ncondition: sel", Event(("Image", "x"))).ShouldBeTrue();
        Matches("sel:\n    User: null\ncondition: sel", Event(("User", null))).ShouldBeTrue();
        Matches("sel:\n    User: null\ncondition: sel", Event(("User", "bob"))).ShouldBeFalse();
        Matches("sel:\n    User: ''\ncondition: sel", Event(("User", ""))).ShouldBeTrue();
        Matches("sel:\n    User: ''\ncondition: sel", Event(("User", "bob"))).ShouldBeFalse();
    }

    [Fact]
    public void Numbers_match_numeric_and_textual_values()
    {
        Matches("sel:\n    EventID: 4688\ncondition: sel", Event(("EventID", 4688))).ShouldBeTrue();
        Matches("sel:\n    EventID: 4688\ncondition: sel", Event(("EventID", "4688"))).ShouldBeTrue();
        Matches("sel:\n    EventID: 4688\ncondition: sel", Event(("EventID", 4689))).ShouldBeFalse();
    }

    [Fact]
    public void Keywords_search_every_value_of_the_event()
    {
        const string detection = "keywords:\n    - 'mimikatz'\n    - 'sekurlsa'\ncondition: keywords";
        Matches(detection, Event(("Message", "ran SEKURLSA::logonpasswords"))).ShouldBeTrue();
        Matches(detection, Event(("Message", "nothing here"))).ShouldBeFalse();
        const string all = "keywords:\n    '|all':\n        - 'error'\n        - 'denied'\ncondition: keywords";
        Matches(all, Event(("A", "access denied"), ("B", "Error 5"))).ShouldBeTrue();
        Matches(all, Event(("A", "access denied"))).ShouldBeFalse();
    }

    [Fact]
    public void Dotted_names_find_nested_objects_and_literal_keys()
    {
        const string detection = "sel:\n    process.command_line|contains: 'whoami'\ncondition: sel";
        Matches(detection, Event(("process", new Dictionary<string, object?> { ["command_line"] = "cmd /c whoami" }))).ShouldBeTrue();
        Matches(detection, Event(("process.command_line", "whoami /all"))).ShouldBeTrue();
        Matches(detection, Event(("process", new Dictionary<string, object?> { ["name"] = "whoami" }))).ShouldBeFalse();
    }

    [Fact]
    public void List_values_in_events_match_when_any_element_matches()
    {
        Matches("sel:\n    event.category: process\ncondition: sel", Event(("event.category", new[] { "process", "start" }))).ShouldBeTrue();
        Matches("sel:\n    event.category: network\ncondition: sel", Event(("event.category", new[] { "process" }))).ShouldBeFalse();
    }
}
