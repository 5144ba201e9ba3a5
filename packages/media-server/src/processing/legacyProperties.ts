/**
 * GStreamer 1.22's parser leaves videoflip's deprecated `method` property unset (the element
 * then passes frames unflipped), yet `videoflip method=horizontal-flip` is the command Kurento's
 * own documentation and apps use. Such commands are rewritten to the `video-direction`
 * property, which takes the same values under other nicks.
 */
const VIDEO_DIRECTION_OF_METHOD: Readonly<Record<string, string>> = {
  none: 'identity',
  clockwise: '90r',
  'rotate-180': '180',
  counterclockwise: '90l',
  'horizontal-flip': 'horiz',
  'vertical-flip': 'vert',
  'upper-left-diagonal': 'ul-lr',
  'upper-right-diagonal': 'ur-ll',
  automatic: 'auto',
};

export function rewriteDeprecatedProperties(command: string): string {
  return command
    .split('!')
    .map((element) =>
      /^\s*videoflip(\s|$)/.test(element)
        ? element.replace(
            /(^|\s)method=("?)([\w-]+)\2(?=\s|$)/,
            (whole, space: string, _quote: string, method: string) => {
              const direction =
                VIDEO_DIRECTION_OF_METHOD[method] ?? (/^\d$/.test(method) ? method : undefined);
              return direction === undefined ? whole : `${space}video-direction=${direction}`;
            },
          )
        : element,
    )
    .join('!');
}
