// Entry point of the `sluice` command.
import { runCli } from './program';

runCli(process.argv).then((code) => {
  process.exitCode = code;
});
