namespace Berth.Cli.Commands;

/// <summary>
/// The scripts <c>berth completion SHELL</c> prints. Each one only passes the command line up to the cursor to
/// <c>berth completion __complete</c> and hands its lines to the shell, so the candidates always match the installed berth.
/// When berth offers nothing (a file argument), the shell completes file names.
/// </summary>
internal static class CompletionScripts
{
    public static string For(string shell) => shell switch
    {
        "bash" => Bash,
        "zsh" => Zsh,
        "fish" => Fish,
        "pwsh" => PowerShell,
        _ => throw new ArgumentOutOfRangeException(nameof(shell), shell, "no completion script for this shell"),
    };

    // bash splits words at '=' and ':' (COMP_WORDBREAKS) but berth answers for the whole word, so the part bash
    // split off is cut from each candidate. Without COMP_LINE (a test or another caller) the words are joined.
    private const string Bash = """
        # berth completion for bash. Load it with: source <(berth completion bash)
        _berth_completion() {
            local line cur word prefix candidate
            local -a candidates
            if [[ -n "${COMP_LINE-}" ]]; then
                line="${COMP_LINE:0:COMP_POINT}"
            else
                line="${COMP_WORDS[*]:0:COMP_CWORD+1}"
            fi
            cur="${COMP_WORDS[COMP_CWORD]}"
            word="${line##*[[:space:]]}"
            prefix=""
            if (( ${#word} > ${#cur} )); then
                prefix="${word:0:${#word}-${#cur}}"
            fi
            mapfile -t candidates < <("${COMP_WORDS[0]}" completion __complete "$line" 2>/dev/null)
            COMPREPLY=()
            for candidate in "${candidates[@]}"; do
                [[ -n "$candidate" ]] && COMPREPLY+=("${candidate#"$prefix"}")
            done
            if [[ ${#COMPREPLY[@]} -eq 1 && "${COMPREPLY[0]}" == *= ]]; then
                compopt -o nospace 2>/dev/null
            fi
            return 0
        }
        complete -o default -F _berth_completion berth

        """;

    private const string Zsh = """
        #compdef berth
        # berth completion for zsh. Load it with: source <(berth completion zsh)   (after compinit)
        # or save it as _berth in a folder of $fpath.
        _berth() {
            local line="${(j: :)${(@)words[1,CURRENT]}}"
            local -a candidates plain open
            local candidate
            candidates=("${(@f)$(${words[1]} completion __complete "$line" 2>/dev/null)}")
            for candidate in $candidates; do
                if [[ $candidate == *= ]]; then open+=("$candidate"); else plain+=("$candidate"); fi
            done
            if (( ${#plain} + ${#open} == 0 )); then
                _files
                return
            fi
            (( ${#plain} )) && compadd -- $plain
            (( ${#open} )) && compadd -S '' -- $open
            return 0
        }
        if [[ "${funcstack[1]}" == "_berth" ]]; then
            _berth "$@"
        elif (( $+functions[compdef] )); then
            compdef _berth berth
        fi

        """;

    private const string Fish = """
        # berth completion for fish. Load it with: berth completion fish | source
        # or save it as ~/.config/fish/completions/berth.fish
        function __berth_complete
            set -l program (commandline -opc)[1]
            set -l candidates ($program completion __complete (commandline -cp | string collect) 2>/dev/null)
            if test (count $candidates) -eq 0
                __fish_complete_path (commandline -ct)
                return
            end
            printf '%s\n' $candidates
        end
        complete -c berth -f -a '(__berth_complete)'

        """;

    // PowerShell leaves a trailing space out of the command's text: it is put back so berth completes a new word.
    private const string PowerShell = """
        # berth completion for PowerShell. Load it with: berth completion pwsh | Out-String | Invoke-Expression
        # (add that line to $PROFILE to keep it)
        Register-ArgumentCompleter -Native -CommandName berth -ScriptBlock {
            param($wordToComplete, $commandAst, $cursorPosition)
            $line = $commandAst.ToString()
            $offset = $cursorPosition - $commandAst.Extent.StartOffset
            if ($offset -lt $line.Length) { $line = $line.Substring(0, $offset) }
            if ($wordToComplete -eq '' -and -not $line.EndsWith(' ')) { $line += ' ' }
            $program = $commandAst.CommandElements[0].ToString()
            & $program completion __complete $line 2>$null | Where-Object { $_ -ne '' } | ForEach-Object {
                [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
            }
        }

        """;
}
