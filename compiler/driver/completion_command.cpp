// `relc completion bash|zsh`: the shell completion script, for installs without the package.
#include <fmt/format.h>

#include "driver/commands.h"
#include "driver/shell_completion.h"

namespace relc::driver {
namespace {

std::vector<std::string> Shells() { return {"bash", "zsh"}; }

int RunCompletion(const ParsedOptions& options, Context& context) {
  if (options.positional.size() != 1) {
    PrintUsageError(context.err, "`relc completion` takes one shell", "try `relc completion bash`");
    return kExitUsageOrIo;
  }
  const std::string& shell = options.positional[0];
  if (shell == "bash") {
    WriteBashCompletion(AllCommands(), context.out);
  } else if (shell == "zsh") {
    WriteZshCompletion(AllCommands(), context.out);
  } else {
    PrintUsageError(context.err, fmt::format("relc has no completion for the shell `{}`", shell), "bash and zsh have one");
    return kExitUsageOrIo;
  }
  return kExitSuccess;
}

}  // namespace

const Command kCompletionCommand{
    .name = "completion",
    .summary = "Print the shell completion script for bash or zsh",
    .usage = "<bash|zsh>",
    .description = "Prints a script that completes relc's commands, options, their values and file names\n"
                   "in the shell. The Debian package installs both; elsewhere, add\n"
                   "`source <(relc completion bash)` to ~/.bashrc, or save `relc completion zsh` as\n"
                   "`_relc` in a folder of zsh's $fpath.",
    .options = {},
    .run = RunCompletion,
    .operand_words = Shells,
};

}  // namespace relc::driver
