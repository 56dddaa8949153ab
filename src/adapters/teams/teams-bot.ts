/**
 * The bot behind /api/messages, on botbuilder's TeamsActivityHandler: messages go to the
 * question/log handler (or, when they carry Action.Submit data, to the card clicks), and
 * `adaptiveCard/action` invokes (Action.Execute) are answered with the card to show.
 */
import { TeamsActivityHandler, type AdaptiveCardInvokeResponse, type AdaptiveCardInvokeValue, type InvokeResponse, type TurnContext } from 'botbuilder';
import { submittedAction } from './adaptive-card.js';
import { errorResponse, type CardClicks } from './card-clicks.js';
import type { TeamsTurnHandler } from './teams-turn.js';

export class TeamsBot extends TeamsActivityHandler {
  constructor(
    messages: TeamsTurnHandler,
    private readonly clicks: CardClicks,
  ) {
    super();
    this.onMessage(async (context, next) => {
      const action = submittedAction(context.activity.value);
      if (action) clicks.onSubmit(context, action);
      else await messages.onMessage(context);
      await next();
    });
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    // The SDK reads value.action.type without checking it is there; answer a malformed invoke with 400, not a crash.
    const action = (context.activity.value as { action?: unknown } | undefined)?.action;
    if (context.activity.name === 'adaptiveCard/action' && (typeof action !== 'object' || action === null)) {
      const body = errorResponse(400, 'BadRequest', 'An adaptiveCard/action invoke must carry an Action.Execute action.');
      return { status: 400, body };
    }
    return super.onInvokeActivity(context);
  }

  protected override onAdaptiveCardInvoke(context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    return this.clicks.onExecute(context, invokeValue);
  }
}
