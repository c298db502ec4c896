export { UserSecurity as default } from "@workos-inc/widgets/user-security";
