namespace Vigie.Server.Demo;

/// <summary>
/// Vigie's own Sigma rules for the demo's planted scenarios that the public corpus leaves to correlation: SSH
/// password guessing from one address, and a successful sign-in from that address after it. Plain Sigma
/// (a chained <c>event_count</c> and <c>temporal_ordered</c> correlation), imported like any rule by the demo.
/// </summary>
internal static class DemoRules
{
    public const string FileName = "vigie-demo-rules.yml";

    public const string GuessingId = "2c381f95-445a-4524-892e-ee97fde5a5c1";
    public const string GuessedId = "e0afcbbc-a39c-4132-88e3-955430385235";

    public const string Yaml = """
        title: SSH sign-in refused
        id: c5a534e1-45e5-488f-9cd4-59ddd734aaaf
        name: vigie_demo_ssh_failed
        status: experimental
        description: A refused SSH password or key, as sshd logs it; counted per address by the correlation below.
        author: Vigie
        date: 2026-11-22
        logsource:
          product: linux
          service: sshd
        detection:
          selection:
            event.action: ssh_login
            event.outcome: failure
          condition: selection
        level: low
        ---
        title: SSH sign-in accepted
        id: 861134f1-aa04-4546-afbd-f943c330e2c0
        name: vigie_demo_ssh_accepted
        status: experimental
        description: An accepted SSH sign-in; feeds the correlation that follows password guessing.
        author: Vigie
        date: 2026-11-22
        logsource:
          product: linux
          service: sshd
        detection:
          selection:
            event.action: ssh_login
            event.outcome: success
          condition: selection
        level: informational
        ---
        title: SSH password guessing from one address
        id: 2c381f95-445a-4524-892e-ee97fde5a5c1
        name: vigie_demo_ssh_guessing
        status: experimental
        description: Five or more refused SSH sign-ins from one address within ten minutes.
        author: Vigie
        date: 2026-11-22
        tags:
          - attack.credential-access
          - attack.t1110.001
        correlation:
          type: event_count
          rules:
            - vigie_demo_ssh_failed
          group-by:
            - source.ip
          timespan: 10m
          condition:
            gte: 5
        level: medium
        ---
        title: SSH sign-in accepted after password guessing from the same address
        id: e0afcbbc-a39c-4132-88e3-955430385235
        status: experimental
        description: >
          An address that guessed passwords then signed in: the guess likely succeeded. The account is to be
          considered compromised until proven otherwise.
        author: Vigie
        date: 2026-11-22
        tags:
          - attack.credential-access
          - attack.t1110.001
          - attack.initial-access
          - attack.t1078
        correlation:
          type: temporal_ordered
          rules:
            - vigie_demo_ssh_guessing
            - vigie_demo_ssh_accepted
          group-by:
            - source.ip
          timespan: 15m
        level: high
        """;
}
