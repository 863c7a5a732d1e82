/**
 * `tq send-event`: sends an event from the shell to the jobs waiting for it in
 * `ctx.waitForEvent`, as `POST /events` does, straight to the store; prints `{"woken": n}`.
 *
 * @example
 * ```ts ignore
 * await sendEventCommand(["order.approved", "--key", "o1", "--data", '{"by":"ana"}'], options);
 * ```
 * @module
 */
import { COMMON_HELP, parse, UsageError } from "./args.ts";
import type { CliOptions } from "./cli_options.ts";
import { setup } from "./setup.ts";

/** Help of `tq send-event`. */
export const SEND_EVENT_HELP = `Usage: tq send-event EVENT [--key KEY] [--data JSON]

Sends EVENT to the jobs waiting for it (ctx.waitForEvent with the same event and key) and
keeps it 24 h for jobs that reach their wait later. Prints {"woken": n}: how many jobs
it woke.

Options:
  --key KEY      the thing the event is about (an order id); waits match it exactly
  --data JSON    what the waiting handlers get (default {})
${COMMON_HELP}`;

/** Runs `tq send-event`. */
export async function sendEventCommand(args: string[], tasks: CliOptions): Promise<number> {
  const { values, positionals } = parse("send-event", args, {
    key: { type: "string" },
    data: { type: "string" },
  });
  if (values.help) {
    console.log(SEND_EVENT_HELP);
    return 0;
  }
  const [event, ...extra] = positionals;
  if (event === undefined || extra.length > 0) {
    throw new UsageError("send-event: give one EVENT (see 'tq send-event --help')");
  }
  let data: unknown;
  try {
    data = values.data === undefined ? undefined : JSON.parse(values.data);
  } catch (error) {
    throw new UsageError(`send-event: --data is not valid JSON: ${(error as Error).message}`);
  }
  const { connection } = await setup(values, tasks);
  try {
    const sent = await connection.producer.sendEvent({ event, key: values.key, data });
    console.log(JSON.stringify(sent));
    return 0;
  } finally {
    await connection.close();
  }
}
