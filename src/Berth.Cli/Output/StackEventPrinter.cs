using Berth.StackService;
using Berth.Stacks.Events;

namespace Berth.Cli.Output;

/// <summary>
/// How <c>berth stack</c> shows a stack operation's events: conversion diagnostics and warnings on stderr, progress
/// through the <see cref="ConvergenceDisplay"/>, everything else as its one line (<see cref="StackEventText"/>) on stdout.
/// </summary>
internal sealed class StackEventPrinter(TextWriter stdout, TextWriter stderr, ConvergenceDisplay? display = null) : IStackEventSink
{
    public void Publish(StackEvent stackEvent)
    {
        switch (stackEvent)
        {
            case StackConverted converted:
                DiagnosticPrinter.Print(stderr, converted.Diagnostics);
                break;
            case StackPolicyChecked policy:
                DiagnosticPrinter.Print(stderr, policy.Violations);
                break;
            case DeployStarting starting:
                stdout.WriteLine($"Deploying stack {starting.Stack} to namespace {starting.Namespace} ({starting.Source})");
                break;
            case StackWarning warning:
                stderr.WriteLine(warning.Message);
                break;
            case ServicesProgressed or ConvergenceFinished:
                display?.Publish(stackEvent);
                break;
            default:
                if (StackEventText.Line(stackEvent) is { } line)
                {
                    stdout.WriteLine(line);
                }

                break;
        }
    }
}
