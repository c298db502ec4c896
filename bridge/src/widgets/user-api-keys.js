// The same ApiKeys widget with `scope="user"`: the signed-in user's own keys, under
// /_widgets/UserApiKeys/ with WorkOS-Widgets-Type `user-api-keys` (contract §7.2).
import { createElement } from "react";
import { ApiKeys } from "@workos-inc/widgets/api-keys";

export default function UserApiKeys(props) {
  return createElement(ApiKeys, { ...props, scope: "user" });
}
