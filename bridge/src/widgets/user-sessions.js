export { UserSessions as default } from "@workos-inc/widgets/user-sessions";
